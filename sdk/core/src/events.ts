// Canonical event model, version 1: one envelope for every title and source, and a typed payload per
// event type. The TypeBox schemas are the single source for validation, TypeScript types, JSON
// Schema/OpenAPI and SDK types (docs/events.md describes every type; `npm run gen` writes the JSON
// Schema to sdk/core/schema/). Titles share types; fields a title does not have are left out.
//
// Naming: `actor.action[.target]` in the past tense (`player.killed.player`, `bomb.planted`).
// Versioning: additive changes (new optional field, new type) keep v1; anything else is v2 with both
// versions accepted during a migration window.
import Type from 'typebox';
import { TITLES } from './titles.ts';

export const EVENT_SCHEMA_VERSION = 1;

const Id = Type.String({ minLength: 1, maxLength: 128 });
const Name = Type.String({ maxLength: 128 });
const Count = Type.Integer({ minimum: 0 });
const Num = Type.Number();

export const TitleSchema = Type.Enum(TITLES);

/** A team of the match. `id` is stable for the whole match (sides may swap); `side` is where it plays now. */
export const TeamRef = Type.Object({ id: Id, name: Name, side: Type.Optional(Type.String({ maxLength: 32 })) });
/** A player. `id` is the source's stable id (SteamID64, Riot PUUID, Dota account id…), else a name-derived one. */
export const PlayerRef = Type.Object({
  id: Id,
  name: Name,
  team: Type.Optional(Id),
  side: Type.Optional(Type.String({ maxLength: 32 })),
  /** Character played: LoL champion, Dota hero, Valorant agent. */
  character: Type.Optional(Name),
});
export const Position = Type.Object({ x: Num, y: Num, z: Type.Optional(Num) });
const Score = Type.Tuple([Count, Count]);
/** Source-specific fields worth keeping that have no canonical place (kept small). */
const Extra = Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 32 }));

const PlayerStats = Type.Object(
  {
    kills: Type.Optional(Count),
    deaths: Type.Optional(Count),
    assists: Type.Optional(Count),
    health: Type.Optional(Num),
    armor: Type.Optional(Num),
    alive: Type.Optional(Type.Boolean()),
    money: Type.Optional(Num),
    gold: Type.Optional(Num),
    totalGold: Type.Optional(Num),
    netWorth: Type.Optional(Num),
    level: Type.Optional(Count),
    xp: Type.Optional(Num),
    creepScore: Type.Optional(Count),
    lastHits: Type.Optional(Count),
    denies: Type.Optional(Count),
    damage: Type.Optional(Num),
    damageToChampions: Type.Optional(Num),
    headshots: Type.Optional(Count),
    equipmentValue: Type.Optional(Num),
    score: Type.Optional(Num),
    wardsPlaced: Type.Optional(Count),
    wardsKilled: Type.Optional(Count),
    mvps: Type.Optional(Count),
    killParticipation: Type.Optional(Num),
    damageShare: Type.Optional(Num),
    visionScore: Type.Optional(Num),
  },
  { additionalProperties: false },
);

const TeamStats = Type.Object(
  {
    score: Type.Optional(Count),
    kills: Type.Optional(Count),
    gold: Type.Optional(Num),
    xp: Type.Optional(Num),
    towers: Type.Optional(Count),
    inhibitors: Type.Optional(Count),
    barracks: Type.Optional(Count),
    dragons: Type.Optional(Count),
    barons: Type.Optional(Count),
    heralds: Type.Optional(Count),
    roshans: Type.Optional(Count),
    money: Type.Optional(Num),
    equipmentValue: Type.Optional(Num),
    alive: Type.Optional(Count),
    timeoutsRemaining: Type.Optional(Count),
    netWorth: Type.Optional(Num),
    voidGrubs: Type.Optional(Count),
    turretPlates: Type.Optional(Count),
  },
  { additionalProperties: false },
);

/** The kinds of objective, across titles. */
export const OBJECTIVES = [
  'dragon', 'elder_dragon', 'baron_nashor', 'rift_herald', 'void_grub', 'atakhan', 'tower', 'turret_plate', 'inhibitor', 'nexus',
  'roshan', 'tormentor', 'barracks', 'ancient', 'outpost', 'shrine', 'watcher',
  'spike', 'other',
] as const;

const strict = <T extends Parameters<typeof Type.Object>[0]>(props: T) => Type.Object(props, { additionalProperties: false });

/** Payload schemas by event type. */
export const Payloads = {
  // ---- lifecycle -------------------------------------------------------------------------------
  'match.started': strict({
    teams: Type.Tuple([TeamRef, TeamRef]),
    map: Type.Optional(Name),
    bestOf: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
    mode: Type.Optional(Name),
    extra: Extra,
  }),
  'match.ended': strict({
    /** Team id of the winner; absent for a draw or when the source does not say. */
    winner: Type.Optional(Id),
    score: Score,
    /** What the score counts when it is not the title's usual unit (e.g. 'maps' for a series summary). */
    scoreUnit: Type.Optional(Type.Union([Type.Literal('rounds'), Type.Literal('kills'), Type.Literal('maps')])),
    reason: Type.Optional(Name),
    durationMs: Type.Optional(Count),
    extra: Extra,
  }),
  'match.paused': strict({ reason: Type.Optional(Name), team: Type.Optional(Id) }),
  'match.resumed': strict({}),
  'round.started': strict({ round: Type.Integer({ minimum: 1 }) }),
  'round.ended': strict({
    round: Type.Integer({ minimum: 1 }),
    /** Absent for a drawn round (rare; some modes and sources). */
    winner: Type.Optional(Id),
    winnerSide: Type.Optional(Type.String({ maxLength: 32 })),
    score: Score,
    reason: Type.Optional(Name),
    extra: Extra,
  }),
  /** Score only (sources that report scores without the round or kill that caused them). */
  'score.changed': strict({ score: Score }),

  // ---- players in and out ----------------------------------------------------------------------
  'player.connected': strict({ player: PlayerRef }),
  'player.disconnected': strict({ player: PlayerRef, reason: Type.Optional(Name) }),
  'player.switched.team': strict({ player: PlayerRef, from: Type.Optional(Type.String({ maxLength: 64 })), to: Type.String({ maxLength: 64 }) }),

  // ---- combat ----------------------------------------------------------------------------------
  'player.killed.player': strict({
    /** Absent when the world killed the victim (fall, bomb, neutral monster, tower…). */
    killer: Type.Optional(PlayerRef),
    victim: PlayerRef,
    assisters: Type.Optional(Type.Array(PlayerRef, { maxItems: 9 })),
    weapon: Type.Optional(Name),
    headshot: Type.Optional(Type.Boolean()),
    killerPosition: Type.Optional(Position),
    victimPosition: Type.Optional(Position),
    penetrated: Type.Optional(Type.Boolean()),
    throughSmoke: Type.Optional(Type.Boolean()),
    noScope: Type.Optional(Type.Boolean()),
    attackerBlind: Type.Optional(Type.Boolean()),
    teamKill: Type.Optional(Type.Boolean()),
    suicide: Type.Optional(Type.Boolean()),
    firstBlood: Type.Optional(Type.Boolean()),
    /** Gold the kill was worth (LoL/Dota bounty). */
    bounty: Type.Optional(Num),
    extra: Extra,
  }),
  /** A separate assist (sources that report assists apart from the kill, e.g. CS2 logs). */
  'player.assisted.player': strict({ assister: PlayerRef, victim: PlayerRef, flash: Type.Optional(Type.Boolean()) }),
  'player.damaged.player': strict({
    attacker: Type.Optional(PlayerRef),
    victim: PlayerRef,
    weapon: Type.Optional(Name),
    damage: Num,
    armorDamage: Type.Optional(Num),
    healthRemaining: Type.Optional(Num),
    armorRemaining: Type.Optional(Num),
    hitgroup: Type.Optional(Name),
    attackerPosition: Type.Optional(Position),
    victimPosition: Type.Optional(Position),
  }),
  'player.blinded.player': strict({ attacker: PlayerRef, victim: PlayerRef, durationMs: Count, entindex: Type.Optional(Count) }),
  'player.threw.grenade': strict({ player: PlayerRef, grenade: Name, position: Type.Optional(Position) }),

  // ---- objectives ------------------------------------------------------------------------------
  'bomb.planted': strict({ player: Type.Optional(PlayerRef), site: Type.Optional(Type.String({ maxLength: 16 })), position: Type.Optional(Position), extra: Extra }),
  'bomb.defused': strict({ player: Type.Optional(PlayerRef), site: Type.Optional(Type.String({ maxLength: 16 })), position: Type.Optional(Position), extra: Extra }),
  'bomb.exploded': strict({ site: Type.Optional(Type.String({ maxLength: 16 })) }),
  'objective.taken': strict({
    /** Team credited; absent when the source does not say (neutral kill). */
    team: Type.Optional(Id),
    objective: Type.Enum(OBJECTIVES),
    /** Dragon type, tower lane and tier, building name… */
    subtype: Type.Optional(Name),
    player: Type.Optional(PlayerRef),
    assisters: Type.Optional(Type.Array(PlayerRef, { maxItems: 9 })),
    position: Type.Optional(Position),
    bounty: Type.Optional(Num),
    stolen: Type.Optional(Type.Boolean()),
    extra: Extra,
  }),

  // ---- economy and items -----------------------------------------------------------------------
  'player.purchased.item': strict({ player: PlayerRef, item: Name, itemId: Type.Optional(Id), cost: Type.Optional(Num) }),
  'player.sold.item': strict({ player: PlayerRef, item: Name }),
  'player.money.changed': strict({ player: PlayerRef, money: Num, delta: Type.Optional(Num), reason: Type.Optional(Name) }),

  // ---- series and map veto --------------------------------------------------------------------
  'series.started': strict({ teams: Type.Tuple([TeamRef, TeamRef]), bestOf: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })) }),
  'series.ended': strict({ winner: Type.Optional(Id), score: Score }),
  'map.picked': strict({ team: Type.Optional(Id), map: Name, order: Type.Optional(Count) }),
  'map.banned': strict({ team: Type.Optional(Id), map: Name, order: Type.Optional(Count) }),
  'round.mvp': strict({ round: Type.Integer({ minimum: 1 }), player: PlayerRef, reason: Type.Optional(Name) }),

  // ---- draft -----------------------------------------------------------------------------------
  'draft.picked': strict({ team: Id, character: Name, characterId: Type.Optional(Id), order: Type.Optional(Count), player: Type.Optional(PlayerRef) }),
  'draft.banned': strict({ team: Type.Optional(Id), character: Name, characterId: Type.Optional(Id), order: Type.Optional(Count) }),

  // ---- progression and vision ------------------------------------------------------------------
  'player.leveled.up': strict({ player: PlayerRef, level: Count }),
  'player.leveled.ability': strict({ player: PlayerRef, ability: Name, level: Count }),
  'player.placed.ward': strict({ player: PlayerRef, ward: Name, position: Type.Optional(Position) }),
  'player.killed.ward': strict({ player: PlayerRef, ward: Name }),

  // ---- state snapshots (sources that report state, not events: GSI, livestats frames, timelines) --
  'player.state': strict({
    player: PlayerRef,
    stats: PlayerStats,
    position: Type.Optional(Position),
    items: Type.Optional(Type.Array(Name, { maxItems: 64 })),
    /** The round the snapshot closes, for round-based titles. */
    round: Type.Optional(Type.Integer({ minimum: 1 })),
    extra: Extra,
  }),
  'team.state': strict({ team: TeamRef, stats: TeamStats, round: Type.Optional(Type.Integer({ minimum: 1 })), extra: Extra }),
} as const;

export type EventType = keyof typeof Payloads;
export const EVENT_TYPES = Object.keys(Payloads) as EventType[];

export const EnvelopeSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'UUIDv7, unique per event (sortable by creation time).' }),
    v: Type.Literal(EVENT_SCHEMA_VERSION, { description: 'Envelope schema version.' }),
    tenant: Type.String({ minLength: 1, maxLength: 128, description: 'The organisation the data belongs to.' }),
    title: Type.Enum(TITLES, { description: 'Game title.' }),
    source: Type.String({ minLength: 1, maxLength: 64, description: 'Where the data came from: cs2-log, cs2-gsi, get5, lol-match, simulator…' }),
    matchId: Type.String({ minLength: 1, maxLength: 128, description: 'The match (one game/map); every event of a match has it, and it keys the match on Kafka.' }),
    seriesId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'The series (best-of) the match belongs to.' })),
    tournamentId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'The tournament, when known.' })),
    seq: Type.Integer({ minimum: 1, description: 'Per match, from 1, no gaps, assigned at ingest: resume from the last seq you saw.' }),
    type: Type.String({ pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+){1,2}$', maxLength: 64, description: 'Event type (see below); it decides the payload.' }),
    gameTime: Type.Optional(Type.Integer({ minimum: 0, description: 'Milliseconds since the game clock started, when the source has one.' })),
    occurredAt: Type.String({ format: 'date-time', description: 'When it happened (the source\'s clock).' }),
    receivedAt: Type.String({ format: 'date-time', description: 'When Clutch received it.' }),
    payload: Type.Record(Type.String(), Type.Unknown(), { description: 'Typed by `type`.' }),
    raw: Type.Optional(Type.String({ maxLength: 256, description: 'Where the raw bytes it came from are kept, e.g. clutch.raw.v1/3/1207.' })),
  },
  { additionalProperties: false },
);

export type Envelope = Type.Static<typeof EnvelopeSchema>;
export type PayloadOf<T extends EventType> = Type.Static<(typeof Payloads)[T]>;
export type PlayerRef = Type.Static<typeof PlayerRef>;
export type TeamRef = Type.Static<typeof TeamRef>;
export type Position = Type.Static<typeof Position>;
export type Objective = (typeof OBJECTIVES)[number];

/** An envelope whose payload is known to match its type. */
export type TypedEvent<T extends EventType = EventType> = T extends EventType ? Omit<Envelope, 'type' | 'payload'> & { type: T; payload: PayloadOf<T> } : never;

export function isType<T extends EventType>(e: Envelope | TypedEvent, type: T): e is TypedEvent<T> & Envelope {
  return e.type === type;
}

export function isEventType(t: string): t is EventType {
  return Object.hasOwn(Payloads, t);
}
