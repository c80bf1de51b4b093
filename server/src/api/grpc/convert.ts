// From Clutch's JSON shapes (store rows, cached summaries, canonical envelopes, live messages) to the
// protobuf messages of proto/clutch/v1. The mapping lives here, apart from the REST shapes.
import { create, type JsonObject } from '@bufbuild/protobuf';
import { timestampFromDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { TITLES, type Envelope, type LiveSummary, type Title as TitleName } from '@clutch/core';
import { Title } from '../../gen/clutch/v1/common_pb.ts';
import { EventSchema, type Event } from '../../gen/clutch/v1/event_pb.ts';
import { MatchSchema, MatchStatus, type Match } from '../../gen/clutch/v1/match_pb.ts';
import { SubscribeResponseSchema, type SubscribeResponse } from '../../gen/clutch/v1/live_pb.ts';
import type { LiveMessageType } from '../../live/hub.ts';
import type { MatchRow } from '../../store/matches.ts';

const TITLE_TO_PROTO: Record<TitleName, Title> = { lol: Title.LOL, cs2: Title.CS2, valorant: Title.VALORANT, dota2: Title.DOTA2 };
const PROTO_TO_TITLE = new Map<number, TitleName>(TITLES.map((t) => [TITLE_TO_PROTO[t], t]));

export const STATUSES = ['scheduled', 'live', 'finished', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];
const STATUS_TO_PROTO: Record<Status, MatchStatus> = { scheduled: MatchStatus.SCHEDULED, live: MatchStatus.LIVE, finished: MatchStatus.FINISHED, cancelled: MatchStatus.CANCELLED };
const PROTO_TO_STATUS = new Map<number, Status>(STATUSES.map((s) => [STATUS_TO_PROTO[s], s]));

export const titleToProto = (t: string): Title => TITLE_TO_PROTO[t as TitleName] ?? Title.UNSPECIFIED;
/** The title a filter asks for: undefined for UNSPECIFIED, 'bad' for a number that is no title. */
export const titleFromProto = (t: number): TitleName | undefined | 'bad' => (t === Title.UNSPECIFIED ? undefined : (PROTO_TO_TITLE.get(t) ?? 'bad'));
export const statusFromProto = (s: number): Status | undefined | 'bad' => (s === MatchStatus.UNSPECIFIED ? undefined : (PROTO_TO_STATUS.get(s) ?? 'bad'));

const ts = (v: string | Date): Timestamp => timestampFromDate(typeof v === 'string' ? new Date(v) : v);
/** An optional string field: absent when null or undefined. */
const opt = <K extends string>(k: K, v: string | null | undefined): Partial<Record<K, string>> => (v == null ? {} : ({ [k]: v } as Record<K, string>));

export function matchFromRow(m: MatchRow): Match {
  return create(MatchSchema, {
    id: m.id,
    title: titleToProto(m.title),
    status: STATUS_TO_PROTO[m.status] ?? MatchStatus.UNSPECIFIED,
    teams: m.teams.map((t) => ({ id: t.id, name: t.name, score: t.score })),
    ...opt('map', m.map),
    ...opt('winner', m.winner),
    ...opt('tournamentId', m.tournamentId),
    ...opt('seriesId', m.seriesId),
    lastSeq: BigInt(m.lastSeq),
    startedAt: ts(m.startedAt),
    updatedAt: ts(m.updatedAt),
  });
}

export function matchFromSummary(s: LiveSummary): Match {
  return create(MatchSchema, {
    id: s.matchId,
    title: titleToProto(s.title),
    status: STATUS_TO_PROTO[s.status],
    teams: s.teams.map((t) => ({ id: t.id, name: t.name, score: t.score })),
    ...opt('map', s.map),
    ...opt('winner', s.winner),
    ...opt('tournamentId', s.tournamentId),
    ...opt('seriesId', s.seriesId),
    lastSeq: BigInt(s.lastSeq),
    startedAt: ts(s.startedAt),
    updatedAt: ts(s.updatedAt),
  });
}

/** A canonical envelope (as archived: JSON text) as an Event; the payload is carried as a Struct. */
export function eventFromJson(text: string): Event {
  const e = JSON.parse(text) as Envelope;
  return create(EventSchema, {
    id: e.id,
    v: e.v,
    tenant: e.tenant,
    title: titleToProto(e.title),
    source: e.source,
    matchId: e.matchId,
    ...opt('seriesId', e.seriesId),
    ...opt('tournamentId', e.tournamentId),
    seq: BigInt(e.seq),
    type: e.type,
    ...(e.gameTime === undefined ? {} : { gameTime: BigInt(e.gameTime) }),
    occurredAt: ts(e.occurredAt),
    receivedAt: ts(e.receivedAt),
    payload: e.payload as JsonObject,
    ...opt('raw', e.raw),
  });
}

interface LiveJson {
  type: LiveMessageType;
  matchId: string;
  seq: number;
  sentAt?: string;
  reason?: string;
  stats?: JsonObject;
  resumed?: boolean;
  title?: string;
  tournamentId?: string;
  fromSeq?: number;
  occurredAt?: string;
  receivedAt?: string;
  processedAt?: string;
  windows?: JsonObject;
  plugins?: JsonObject;
  code?: string;
  message?: string;
}

/**
 * A live message of the hub (JSON text, docs/live.md) as a SubscribeResponse; undefined for the
 * kinds a one-match stream does not carry (following, error: the stream reports those as its end).
 */
export function liveMessageFromJson(text: string): SubscribeResponse | undefined {
  const m = JSON.parse(text) as LiveJson;
  const head = { matchId: m.matchId, seq: BigInt(m.seq), sentAt: m.sentAt ? ts(m.sentAt) : timestampFromDate(new Date()) };
  switch (m.type) {
    case 'snapshot':
      return create(SubscribeResponseSchema, { ...head, kind: { case: 'snapshot', value: { reason: m.reason ?? '', stats: m.stats ?? {}, ...(m.plugins ? { plugins: m.plugins } : {}) } } });
    case 'subscribed':
      return create(SubscribeResponseSchema, { ...head, kind: { case: 'subscribed', value: { resumed: m.resumed === true } } });
    case 'delta':
      return create(SubscribeResponseSchema, {
        ...head,
        kind: {
          case: 'delta',
          value: {
            title: titleToProto(m.title ?? ''),
            ...opt('tournamentId', m.tournamentId),
            fromSeq: BigInt(m.fromSeq ?? m.seq),
            occurredAt: ts(m.occurredAt!),
            receivedAt: ts(m.receivedAt!),
            processedAt: ts(m.processedAt!),
            stats: m.stats ?? {},
            windows: m.windows ?? {},
            ...(m.plugins ? { plugins: m.plugins } : {}),
          },
        },
      });
    default:
      return undefined;
  }
}

export function heartbeat(matchId: string, lastSeq: number): SubscribeResponse {
  return create(SubscribeResponseSchema, { matchId, seq: BigInt(lastSeq), sentAt: timestampFromDate(new Date()), kind: { case: 'heartbeat', value: {} } });
}
