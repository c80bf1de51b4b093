// Source adapters: pure parsers from a real game data format to canonical event drafts. No I/O, no
// clock, no randomness — the same input and state always give the same drafts — so they run the same
// in the ingest service, the `clutch parse` CLI, replays and tests. Ingest turns drafts into events
// (id, tenant, seq, receivedAt) and drops a draft whose `key` it has already seen for that match.
import type { EventType, PayloadOf, Title } from '@clutch/core';

export const SOURCES = [
  'cs2-log',
  'cs2-gsi',
  'get5',
  'matchzy',
  'lol-match',
  'lol-live-client',
  'lol-livestats',
  'dota2-gsi',
  'opendota',
  'steam-match',
  'valorant-match',
  'faceit',
] as const;
export type SourceName = (typeof SOURCES)[number];

/** A canonical event before ingest gives it an id, a tenant, a seq and a receivedAt. */
export type Draft<T extends EventType = EventType> = T extends EventType
  ? {
      type: T;
      payload: PayloadOf<T>;
      title: Title;
      /** Stable per match across deliveries: derived from the source (its match id, or stream + map + start). */
      matchId: string;
      seriesId?: string;
      tournamentId?: string;
      /** ISO time the event happened; the payload's receivedAt when the source has no clock. */
      occurredAt: string;
      /** ms since the game clock started, when the source has one. */
      gameTime?: number;
      /**
       * Identity of the source fact: the same delivery twice yields the same key (duplicate dropped),
       * two different facts never share one. Unique within the match, at most 200 characters.
       */
      key: string;
    }
  : never;

export interface AdapterContext {
  /** When ingest received the payload (ISO 8601). The only notion of "now" an adapter gets. */
  receivedAt: string;
  /**
   * Who sent it: the ingest token's stream id (a game server, a GSI observer, a poller), stable
   * across payloads of one stream. Used to build match ids for sources that have none.
   */
  streamId: string;
}

export interface ParseOutput<S> {
  state: S;
  drafts: Draft[];
}

export interface Adapter<S = unknown> {
  source: SourceName;
  title: Title;
  /**
   * 'stream': a match arrives as many payloads (log bodies, GSI states, webhooks), parsed in order,
   * the state carrying what earlier ones established. 'document': each payload describes (part of) a
   * whole match (a match JSON, a timeline); `finish` emits what the documents seen so far describe.
   */
  kind: 'stream' | 'document';
  /** How payloads arrive: 'text' (CS2 log bodies) or 'json' (one JSON document per payload). */
  format: 'text' | 'json';
  /** Human description for `clutch parse --help` and the ingest docs. */
  description: string;
  initialState(): S;
  /** Parses one payload. Throws ParseError (CLUTCH_PARSE_*) on bad input, never anything else. */
  parse(payload: Buffer, state: S, ctx: AdapterContext): ParseOutput<S>;
  /** Documents only: the events the documents parsed so far describe, in game order. */
  finish?(state: S, ctx: AdapterContext): ParseOutput<S>;
}
