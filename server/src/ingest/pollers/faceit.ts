// Faceit Data API v4 poller (`faceit`), Bearer key.
//
// Matches come from FACEIT_MATCH_IDS and from the ongoing and latest past matches of the configured
// championships (`/data/v4/championships/{id}/matches?type=ongoing|past`) and hubs
// (`/data/v4/hubs/{id}/matches?type=ongoing|past`). Each tracked match is fetched every round
// (`/data/v4/matches/{id}`) until it ends:
// - READY / CONFIGURING / ONGOING, the first time: the match document is submitted (→ match.started);
// - FINISHED: `/data/v4/matches/{id}/stats` too, and both go as ONE body (match line, then stats: the
//   faceit adapter is a document adapter, so the statistics learn which faction is which from the
//   match in the same body). Statistics missing (404) for `statsTries` rounds → the match alone;
// - CANCELLED / ABORTED: the match document (→ match.ended with that reason);
// then the match is remembered as done (the cache) and no longer fetched. `started` is remembered
// too, so a restart neither re-submits nor forgets a match in progress.
import { BODY_LIMITS } from '../http.ts';
import { systemClock, type Clock } from './clock.ts';
import { isRetryable, PollerBadResponse, upstreamStatus, withDetails } from './errors.ts';
import type { Gate, HttpClient } from './http-client.ts';
import { SlidingWindowLimiter, windowGate, type RateWindow } from './rate-limits.ts';
import { ndjson, nextDelay, Outbox, PollLoop, pollerHttp, Remembered, type PollerDeps } from './submit.ts';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFaceitId = (id: string) => /^[A-Za-z0-9-]{1,100}$/.test(id);
const STARTED = new Set(['READY', 'CONFIGURING', 'ONGOING']);
const ENDED = new Set(['CANCELLED', 'ABORTED']);

export interface FaceitPollerOptions extends PollerDeps {
  /** Default https://open.faceit.com. */
  baseUrl: string;
  apiKey: string;
  matchIds: string[];
  championshipIds: string[];
  hubIds: string[];
  intervalMs: number;
  /** Default 10 per second. */
  rateLimits?: RateWindow[];
  /** Past matches listed per championship/hub. Default 20. */
  listLimit?: number;
  /** Matches followed at once, at most. Default 500. */
  maxTracked?: number;
  /** Rounds a finished match waits for its statistics before it is submitted without them. Default 5. */
  statsTries?: number;
  /** Rounds in a row a match may fail with a final error (404, bad key) before it is dropped until restart. Default 10. */
  maxFailures?: number;
  outboxCapacity?: number;
  retryMs?: number;
  marginMs?: number;
}

interface Tracked {
  started: boolean;
  statsMisses: number;
  /** Rounds in a row the match could not be fetched (a wrong id: 404). */
  failures: number;
}

export class FaceitPoller {
  readonly streamId = 'poller:faceit';
  readonly limiter: SlidingWindowLimiter;
  readonly #o: FaceitPollerOptions;
  readonly #clock: Clock;
  readonly #http: HttpClient;
  readonly #gate: Gate;
  readonly #state: Remembered;
  readonly #outbox: Outbox;
  readonly #tracked = new Map<string, Tracked>();
  /** Given up until restart (bounded). */
  readonly #dropped = new Set<string>();
  readonly #loop: PollLoop;

  constructor(o: FaceitPollerOptions) {
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    this.limiter = new SlidingWindowLimiter(o.rateLimits ?? [{ limit: 10, windowMs: 1000 }], o.marginMs);
    this.#gate = windowGate(this.#clock, this.limiter);
    this.#http = pollerHttp('faceit', o, { headers: { authorization: `Bearer ${o.apiKey}` }, keyVar: 'FACEIT_API_KEY', maxBytes: BODY_LIMITS.faceit });
    this.#state = new Remembered(o.cache, `poller:${o.tenant}:faceit:`);
    this.#outbox = new Outbox(o.submit, o.outboxCapacity ?? 8, o.log);
    this.#loop = new PollLoop({ name: 'faceit', clock: this.#clock, log: o.log, tick: (s) => this.tick(s), errorDelayMs: o.intervalMs });
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  get tracked(): string[] {
    return [...this.#tracked.keys()];
  }

  #api(path: string): string {
    return `${this.#o.baseUrl.replace(/\/+$/, '')}/data/v4${path}`;
  }

  async #discover(signal: AbortSignal): Promise<string[]> {
    const ids = this.#o.matchIds.filter(isFaceitId);
    const limit = this.#o.listLimit ?? 20;
    const lists = [...this.#o.championshipIds.map((c) => `/championships/${encodeURIComponent(c)}`), ...this.#o.hubIds.map((h) => `/hubs/${encodeURIComponent(h)}`)];
    for (const list of lists) {
      for (const type of ['ongoing', 'past']) {
        try {
          const res = await this.#http.json(this.#api(`${list}/matches?type=${type}&offset=0&limit=${limit}`), { gate: this.#gate, signal });
          const items = isObj(res?.data) && Array.isArray(res.data.items) ? res.data.items : undefined;
          if (!items) throw withDetails(new PollerBadResponse(`faceit ${list}/matches`, 'expected {items: [...]}'), { retryable: false });
          // Listed newest first: follow oldest first.
          for (const m of [...items].reverse()) if (isObj(m) && typeof m.match_id === 'string' && isFaceitId(m.match_id)) ids.push(m.match_id);
        } catch (err) {
          if (signal.aborted) throw err;
          this.#o.log.warn({ error: err, list, type }, 'listing faceit matches failed');
          if (isRetryable(err)) return ids;
        }
      }
    }
    return ids;
  }

  async tick(signal: AbortSignal = new AbortController().signal): Promise<number> {
    const { intervalMs, log } = this.#o;
    const retryMs = this.#o.retryMs ?? 5000;
    if (!(await this.#outbox.flush())) return nextDelay(intervalMs, this.#outbox, true, retryMs);
    for (const id of await this.#discover(signal)) {
      if (this.#tracked.has(id) || this.#tracked.size >= (this.#o.maxTracked ?? 500)) continue;
      const state = await this.#state.get(id);
      if (state !== 'done' && !this.#dropped.has(id)) this.#tracked.set(id, { started: state === 'started', statsMisses: 0, failures: 0 });
    }
    for (const [id, t] of [...this.#tracked]) {
      if (signal.aborted || this.#outbox.full) break;
      if (this.#outbox.has(id)) continue;
      let match;
      try {
        match = await this.#http.json(this.#api(`/matches/${encodeURIComponent(id)}`), { gate: this.#gate, signal });
      } catch (err) {
        if (signal.aborted) break;
        log.warn({ error: err, id }, 'faceit match failed; retried next round');
        if (isRetryable(err)) break;
        if (++t.failures >= (this.#o.maxFailures ?? 10)) {
          log.warn({ id, failures: t.failures }, 'faceit match given up after repeated failures (until restart)');
          this.#tracked.delete(id);
          this.#dropped.add(id);
          if (this.#dropped.size > 10_000) this.#dropped.delete(this.#dropped.values().next().value!);
        }
        continue;
      }
      t.failures = 0;
      const status = isObj(match?.data) && typeof match.data.status === 'string' ? match.data.status.toUpperCase() : undefined;
      if (!match || !status) {
        log.warn({ id }, 'faceit match without a status; retried next round');
        continue;
      }
      let bodies: Buffer[] | undefined;
      let next: 'started' | 'done' | undefined;
      if (status === 'FINISHED') {
        let stats;
        try {
          stats = await this.#http.json(this.#api(`/matches/${encodeURIComponent(id)}/stats`), { gate: this.#gate, signal });
        } catch (err) {
          if (signal.aborted) break;
          if (upstreamStatus(err) !== 404) {
            log.warn({ error: err, id }, 'faceit statistics failed; retried next round');
            if (isRetryable(err)) break;
            continue;
          }
        }
        if (stats) bodies = [ndjson([match.data, stats.data])];
        else if (++t.statsMisses >= (this.#o.statsTries ?? 5)) {
          log.info({ id }, 'faceit statistics still missing: submitting the match alone');
          bodies = [match.body];
        } else continue;
        next = 'done';
      } else if (ENDED.has(status)) {
        bodies = [match.body];
        next = 'done';
      } else if (STARTED.has(status) && !t.started) {
        bodies = [match.body];
        next = 'started';
      }
      if (!bodies || !next) continue;
      const outcome = next;
      this.#outbox.push({
        key: id,
        source: 'faceit',
        streamId: this.streamId,
        bodies,
        onDone: async ({ accepted }) => {
          await this.#state.set(id, outcome);
          this.#o.metrics?.submitted.inc({ poller: 'faceit', outcome: accepted ? 'submitted' : 'rejected' });
          if (outcome === 'done') this.#tracked.delete(id);
          else t.started = true;
          log.info({ id, status }, 'faceit match submitted');
        },
      });
      if (!(await this.#outbox.flush())) return nextDelay(intervalMs, this.#outbox, true, retryMs);
    }
    return nextDelay(intervalMs, this.#outbox, false, retryMs);
  }
}
