// League of Legends pollers.
//
// Match-V5 (`lol-match`): every interval, the recent match ids of each configured PUUID
// (`/lol/match/v5/matches/by-puuid/{puuid}/ids?start=0&count=20`), then for each id never submitted
// its timeline and its match JSON, submitted as ONE body of two NDJSON lines, timeline first (see
// docs/sources/lol.md: a timeline after the match JSON would count its kills on top of the final
// score). Key in `X-Riot-Token`. Riot's app and method limits are honoured by RiotRateLimits.
//
// Esports livestats (`lol-livestats`): every 10 s, for each configured esports game id not finished
// yet, `/livestats/v1/window/{gameId}` and `/details/{gameId}` with `startingTime` ~60 s behind now
// rounded down to 10 s, submitted as one body (window line, then details with `esportsGameId` added:
// a details body names no game). A game whose last frame is `finished` is remembered and not polled again.
import { createHash } from 'node:crypto';
import type { SourceName } from '../adapters/types.ts';
import { BODY_LIMITS } from '../http.ts';
import { systemClock, type Clock } from './clock.ts';
import { DocumentPoller, type DocumentPollerOptions, type DocumentSource, type Fetched } from './document-poller.ts';
import { isRetryable, PollerBadResponse, upstreamStatus, withDetails } from './errors.ts';
import type { HttpClient } from './http-client.ts';
import { RiotRateLimits, SlidingWindowLimiter, windowGate, type RateWindow } from './rate-limits.ts';
import { ndjson, nextDelay, Outbox, PollLoop, pollerHttp, Remembered, type PollerDeps } from './submit.ts';

export const RIOT_METHODS = { ids: 'match-v5.getMatchIdsByPUUID', match: 'match-v5.getMatch', timeline: 'match-v5.getTimeline' } as const;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface RiotMatchPollerOptions extends Omit<DocumentPollerOptions, 'intervalMs'> {
  apiKey: string;
  /** Routing value of Match-V5: americas, europe, asia, sea. */
  region: string;
  /** Default `https://{region}.api.riotgames.com`. */
  baseUrl?: string;
  puuids: string[];
  intervalMs: number;
  /** Application limits until Riot's headers say otherwise. Default a development key's 20:1,100:120. */
  appLimits?: RateWindow[];
  /** Ids listed per PUUID (1–100). Default 20. */
  matchesPerPuuid?: number;
  /** Safety margin added to every window, ms. Default 250. */
  marginMs?: number;
}

export class RiotMatchSource implements DocumentSource {
  readonly name = 'riot';
  readonly source: SourceName = 'lol-match';
  readonly streamId: string;
  readonly limits: RiotRateLimits;
  readonly #http: HttpClient;
  readonly #base: string;
  readonly #o: RiotMatchPollerOptions;

  constructor(o: RiotMatchPollerOptions) {
    this.#o = o;
    this.streamId = `poller:riot:${o.region}`;
    this.#base = (o.baseUrl || `https://${o.region}.api.riotgames.com`).replace(/\/+$/, '');
    this.limits = new RiotRateLimits({ clock: o.clock ?? systemClock, appLimits: o.appLimits ?? [{ limit: 20, windowMs: 1000 }, { limit: 100, windowMs: 120_000 }], ...(o.marginMs !== undefined ? { marginMs: o.marginMs } : {}) });
    this.#http = pollerHttp('riot', o, { headers: { 'x-riot-token': o.apiKey }, keyVar: 'RIOT_API_KEY', maxBytes: BODY_LIMITS['lol-match'] });
  }

  async list(signal: AbortSignal): Promise<string[]> {
    const count = Math.min(100, Math.max(1, this.#o.matchesPerPuuid ?? 20));
    const ids: string[] = [];
    let firstError: unknown;
    for (const puuid of this.#o.puuids) {
      try {
        const res = await this.#http.json(`${this.#base}/lol/match/v5/matches/by-puuid/${encodeURIComponent(puuid)}/ids?start=0&count=${count}`, { gate: this.limits.gate(RIOT_METHODS.ids), signal });
        const list = res?.data;
        if (!Array.isArray(list)) throw withDetails(new PollerBadResponse('riot match ids', 'expected a JSON array of match ids'), { retryable: false });
        // Newest first from Riot: submit oldest first.
        for (const id of [...list].reverse()) if (typeof id === 'string' && /^[A-Za-z0-9]{1,10}_\d{1,20}$/.test(id) && !ids.includes(id)) ids.push(id);
      } catch (err) {
        if (signal.aborted) throw err;
        firstError ??= err;
        this.#o.log.warn({ error: err, puuid: `${puuid.slice(0, 8)}…` }, 'listing match ids failed');
        if (isRetryable(err)) break;
      }
    }
    if (!ids.length && firstError) throw firstError;
    return ids;
  }

  async fetch(id: string, signal: AbortSignal): Promise<Fetched> {
    const url = `${this.#base}/lol/match/v5/matches/${encodeURIComponent(id)}`;
    let timeline: unknown;
    try {
      timeline = (await this.#http.json(`${url}/timeline`, { gate: this.limits.gate(RIOT_METHODS.timeline), signal }))?.data;
    } catch (err) {
      // Some matches have no timeline: the match JSON alone still describes the game.
      if (upstreamStatus(err) !== 404) throw err;
    }
    let match: unknown;
    try {
      match = (await this.#http.json(url, { gate: this.limits.gate(RIOT_METHODS.match), signal }))?.data;
    } catch (err) {
      if (upstreamStatus(err) === 404) return { kind: 'later', reason: 'match not found (404)', counts: true };
      throw err;
    }
    if (!isObj(match)) return { kind: 'later', reason: 'empty match response', counts: true };
    if (!isObj(timeline)) return { kind: 'submit', bodies: [ndjson([match])] };
    return { kind: 'submit', bodies: [ndjson([timeline, match])], split: () => [ndjson([timeline]), ndjson([match])] };
  }
}

/** Match-V5 poller of the configured PUUIDs. */
export function createRiotMatchPoller(o: RiotMatchPollerOptions): DocumentPoller & { source: RiotMatchSource } {
  return new DocumentPoller(new RiotMatchSource(o), o) as DocumentPoller & { source: RiotMatchSource };
}

export interface LiveStatsPollerOptions extends PollerDeps {
  /** Default https://feed.lolesports.com. */
  feedUrl: string;
  gameIds: string[];
  /** Default 10 s (the feed's frame interval). */
  intervalMs?: number;
  /** How far behind now `startingTime` is. Default 60 s. */
  lagMs?: number;
  /** Requests to the feed at most. Default 10 per second. */
  rateLimits?: RateWindow[];
  outboxCapacity?: number;
  retryMs?: number;
}

/** `startingTime` for the feed: now − lag, rounded down to a multiple of 10 s, ISO without milliseconds. */
export function startingTime(now: number, lagMs: number): string {
  const t = Math.floor((now - lagMs) / 10_000) * 10_000;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class LiveStatsPoller {
  readonly #o: LiveStatsPollerOptions & { intervalMs: number; lagMs: number; retryMs: number };
  readonly #clock: Clock;
  readonly #http: HttpClient;
  readonly #gate;
  readonly #finished: Remembered;
  readonly #outbox: Outbox;
  /** Games still polled → hash of their last submitted body. */
  readonly #active = new Map<string, string | undefined>();
  #loaded = false;
  readonly #loop: PollLoop;

  constructor(o: LiveStatsPollerOptions) {
    this.#o = { intervalMs: 10_000, lagMs: 60_000, retryMs: 5000, ...o };
    this.#clock = o.clock ?? systemClock;
    this.#http = pollerHttp('lolesports', o, { maxBytes: BODY_LIMITS['lol-livestats'] });
    this.#gate = windowGate(this.#clock, new SlidingWindowLimiter(o.rateLimits ?? [{ limit: 10, windowMs: 1000 }], 0));
    this.#finished = new Remembered(o.cache, `poller:${o.tenant}:lolesports:`);
    this.#outbox = new Outbox(o.submit, o.outboxCapacity ?? 16, o.log);
    this.#loop = new PollLoop({ name: 'lolesports', clock: this.#clock, log: o.log, tick: (s) => this.tick(s), errorDelayMs: this.#o.intervalMs });
  }

  static streamId(gameId: string): string {
    return `poller:lolesports:${gameId}`;
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** Games still polled. */
  get active(): string[] {
    return [...this.#active.keys()];
  }

  async tick(signal: AbortSignal = new AbortController().signal): Promise<number> {
    const { intervalMs, retryMs, log } = this.#o;
    if (!this.#loaded) {
      for (const g of this.#o.gameIds) if (!(await this.#finished.has(g))) this.#active.set(g, undefined);
      this.#loaded = true;
    }
    if (!(await this.#outbox.flush())) return nextDelay(intervalMs, this.#outbox, true, retryMs);
    const base = this.#o.feedUrl.replace(/\/+$/, '');
    for (const [gameId, lastHash] of [...this.#active]) {
      if (signal.aborted || this.#outbox.full) break;
      if (this.#outbox.has(gameId)) continue;
      const q = `startingTime=${encodeURIComponent(startingTime(this.#clock.now(), this.#o.lagMs))}`;
      let window: unknown;
      try {
        window = (await this.#http.json(`${base}/livestats/v1/window/${encodeURIComponent(gameId)}?${q}`, { gate: this.#gate, signal }))?.data;
      } catch (err) {
        if (signal.aborted) break;
        // 404: an unknown game or one not started yet; keep polling it.
        log[upstreamStatus(err) === 404 ? 'debug' : 'warn']({ error: err, gameId }, 'livestats window failed');
        if (isRetryable(err)) break;
        continue;
      }
      if (!isObj(window) || !Array.isArray(window.frames) || window.frames.length === 0) continue; // 204: no frames yet
      let details: unknown;
      try {
        details = (await this.#http.json(`${base}/livestats/v1/details/${encodeURIComponent(gameId)}?${q}`, { gate: this.#gate, signal }))?.data;
      } catch (err) {
        if (signal.aborted) break;
        log.warn({ error: err, gameId }, 'livestats details failed; submitting the window alone');
      }
      const docs: unknown[] = [window];
      if (isObj(details) && Array.isArray(details.frames) && details.frames.length) docs.push({ esportsGameId: window.esportsGameId ?? gameId, ...details });
      const body = ndjson(docs);
      const hash = createHash('sha256').update(body).digest('base64url');
      if (hash === lastHash) continue;
      const last = window.frames.at(-1) as unknown;
      const finished = isObj(last) && last.gameState === 'finished';
      this.#outbox.push({
        key: gameId,
        source: 'lol-livestats',
        streamId: LiveStatsPoller.streamId(gameId),
        bodies: [body],
        onDone: async ({ accepted }) => {
          this.#o.metrics?.submitted.inc({ poller: 'lolesports', outcome: accepted ? 'submitted' : 'rejected' });
          if (!finished) {
            if (this.#active.has(gameId)) this.#active.set(gameId, hash);
            return;
          }
          await this.#finished.set(gameId, 'finished');
          this.#active.delete(gameId);
          log.info({ gameId }, 'esports game finished: no longer polled');
        },
      });
      if (!(await this.#outbox.flush())) return nextDelay(intervalMs, this.#outbox, true, retryMs);
    }
    return nextDelay(intervalMs, this.#outbox, false, retryMs);
  }
}
