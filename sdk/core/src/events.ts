// Canonical event model, version 1: one envelope for every title and source. The TypeBox schema is
// the single source for validation, TypeScript types, JSON Schema/OpenAPI and SDK types.
// Issue #3 widens the typed payloads to every event of every title; this file holds the envelope and
// the lifecycle/scoring events the live pipeline already relies on.
import Type from 'typebox';
import { TITLES } from './titles.ts';

export const EVENT_SCHEMA_VERSION = 1;

const Id = Type.String({ minLength: 1, maxLength: 128 });
const IsoTime = Type.String({ format: 'date-time' });

export const TitleSchema = Type.Enum(TITLES);

const TeamRef = Type.Object({ id: Id, name: Type.String({ maxLength: 128 }) });
const PlayerRef = Type.Object({ id: Id, name: Type.String({ maxLength: 128 }), team: Id });
const Score = Type.Tuple([Type.Integer({ minimum: 0 }), Type.Integer({ minimum: 0 })]);

/** Payload schemas by event type (actor.action[.target]). */
export const Payloads = {
  'match.started': Type.Object({ teams: Type.Tuple([TeamRef, TeamRef]), map: Type.Optional(Type.String()), bestOf: Type.Optional(Type.Integer({ minimum: 1 })) }),
  'player.killed.player': Type.Object({
    killer: PlayerRef,
    victim: PlayerRef,
    assisters: Type.Optional(Type.Array(PlayerRef, { maxItems: 9 })),
    weapon: Type.Optional(Type.String()),
    headshot: Type.Optional(Type.Boolean()),
  }),
  'round.ended': Type.Object({ round: Type.Integer({ minimum: 1 }), winner: Id, score: Score, reason: Type.Optional(Type.String()) }),
  'objective.taken': Type.Object({ team: Id, objective: Type.String() }),
  'match.ended': Type.Object({ winner: Id, score: Score }),
} as const;

export type EventType = keyof typeof Payloads;
export const EVENT_TYPES = Object.keys(Payloads) as EventType[];

export const EnvelopeSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    v: Type.Literal(EVENT_SCHEMA_VERSION),
    tenant: Id,
    title: TitleSchema,
    source: Type.String({ minLength: 1, maxLength: 64 }),
    matchId: Id,
    seriesId: Type.Optional(Id),
    tournamentId: Type.Optional(Id),
    /** Per match, gap-free, starts at 1, assigned at ingest. */
    seq: Type.Integer({ minimum: 1 }),
    type: Type.String({ pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+){1,2}$' }),
    /** Milliseconds since the game clock started, when the source has one. */
    gameTime: Type.Optional(Type.Integer({ minimum: 0 })),
    occurredAt: IsoTime,
    receivedAt: IsoTime,
    payload: Type.Record(Type.String(), Type.Unknown()),
    /** Where the raw bytes this event came from are kept (topic/partition/offset or object key). */
    raw: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export type Envelope = Type.Static<typeof EnvelopeSchema>;
export type PayloadOf<T extends EventType> = Type.Static<(typeof Payloads)[T]>;

/** An envelope whose payload is known to match its type. */
export type TypedEvent<T extends EventType = EventType> = T extends EventType ? Omit<Envelope, 'type' | 'payload'> & { type: T; payload: PayloadOf<T> } : never;

export function isType<T extends EventType>(e: Envelope | TypedEvent, type: T): e is TypedEvent<T> & Envelope {
  return e.type === type;
}
