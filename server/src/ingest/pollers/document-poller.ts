// The shape shared by the pollers of finished-match documents (Riot Match-V5, OpenDota, Steam): each
// round lists candidate match ids, fetches the ones never submitted, and submits each exactly once.
//
// Restart safety: an id is remembered (Remembered: the cache, Redis in production, 30 days) only
// after the log acknowledged its body, so a crash before that re-fetches it, and a restart after it
// skips it. The one window for a duplicate — acknowledged, then the process dies before the cache
// write — is harmless downstream: the parser stage drops a payload whose bytes the stream already
// had, and the sequencer drops drafts whose keys the match has seen.
import type { SourceName } from '../adapters/types.ts';
import { systemClock, type Clock } from './clock.ts';
import { isRetryable, upstreamStatus } from './errors.ts';
import { nextDelay, Outbox, PollLoop, Remembered, type PollerDeps } from './submit.ts';

/** What fetching one id gave. */
export type Fetched =
  | { kind: 'submit'; bodies: Buffer[]; split?: () => Buffer[] }
  /** Not there yet (not found, not parsed yet): try again next round; counts towards giving up when `counts`. */
  | { kind: 'later'; reason: string; counts: boolean }
  /** Never submit it (e.g. the provider says it does not exist): remembered as skipped. */
  | { kind: 'skip'; reason: string };

export interface DocumentSource {
  /** "riot", "opendota", "steam": logs, metrics and the cache prefix. */
  name: string;
  source: SourceName;
  /** Stream id of the submitted payloads, e.g. `poller:riot:europe`. */
  streamId: string;
  /** Candidate ids, oldest first (ids already submitted are filtered by the poller). */
  list(signal: AbortSignal): Promise<string[]>;
  fetch(id: string, signal: AbortSignal): Promise<Fetched>;
}

export interface DocumentPollerOptions extends PollerDeps {
  intervalMs: number;
  /** Ids waiting to be fetched, at most (more wait for a later listing). Default 200. */
  maxPending?: number;
  /** Bodies fetched but not yet acknowledged by the log, at most. Default 8. */
  outboxCapacity?: number;
  /** Rounds an id may fail (errors, counted `later`) before it is given up until restart. Default 10. */
  maxFailures?: number;
  /** Delay between rounds while the log refuses. Default 5 s. */
  retryMs?: number;
}

export class DocumentPoller {
  readonly source: DocumentSource;
  readonly #o: DocumentPollerOptions & Required<Pick<DocumentPollerOptions, 'maxPending' | 'outboxCapacity' | 'maxFailures' | 'retryMs'>>;
  readonly #clock: Clock;
  readonly #done: Remembered;
  readonly #outbox: Outbox;
  /** Insertion order = fetch order. */
  readonly #pending = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #givenUp = new Set<string>();
  readonly #loop: PollLoop;

  constructor(source: DocumentSource, o: DocumentPollerOptions) {
    this.source = source;
    this.#o = { maxPending: 200, outboxCapacity: 8, maxFailures: 10, retryMs: 5000, ...o };
    this.#clock = o.clock ?? systemClock;
    this.#done = new Remembered(o.cache, `poller:${o.tenant}:${source.name}:`);
    this.#outbox = new Outbox(o.submit, this.#o.outboxCapacity, o.log);
    this.#loop = new PollLoop({ name: source.name, clock: this.#clock, log: o.log, tick: (s) => this.tick(s), errorDelayMs: o.intervalMs });
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  get pending(): number {
    return this.#pending.size + this.#outbox.size;
  }

  /** One round: submit what waits, list, fetch and submit new ids. Resolves with the delay before the next round. */
  async tick(signal: AbortSignal = new AbortController().signal): Promise<number> {
    const { log, intervalMs, retryMs } = this.#o;
    if (!(await this.#outbox.flush())) return nextDelay(intervalMs, this.#outbox, true, retryMs);
    if (this.#pending.size < this.#o.maxPending) {
      let ids: string[] = [];
      try {
        ids = await this.source.list(signal);
      } catch (err) {
        if (signal.aborted) return 0;
        log.warn({ error: err }, 'listing matches failed; retried next round');
      }
      for (const id of ids) {
        if (this.#pending.size >= this.#o.maxPending) break;
        if (this.#pending.has(id) || this.#givenUp.has(id) || this.#outbox.has(id)) continue;
        if (!(await this.#done.has(id))) this.#pending.add(id);
      }
    }
    for (const id of [...this.#pending]) {
      if (signal.aborted || this.#outbox.full) break;
      let got: Fetched;
      try {
        got = await this.source.fetch(id, signal);
      } catch (err) {
        if (signal.aborted) break;
        // Retried next round (a fresh match may not be served everywhere yet), up to maxFailures.
        log.warn({ error: err, id, status: upstreamStatus(err), retryable: isRetryable(err) }, 'fetch failed; retried next round');
        this.#failed(id);
        // Retries exhausted (5xx, timeouts, 429s): the provider is unwell, leave the rest for next round.
        if (isRetryable(err)) break;
        continue;
      }
      if (got.kind === 'later') {
        log.debug({ id, reason: got.reason }, 'not available yet');
        if (got.counts) this.#failed(id);
        continue;
      }
      this.#pending.delete(id);
      this.#failures.delete(id);
      if (got.kind === 'skip') {
        log.info({ id, reason: got.reason }, 'skipped');
        await this.#done.set(id, `skipped:${got.reason}`.slice(0, 200));
        this.#o.metrics?.submitted.inc({ poller: this.source.name, outcome: 'skipped' });
        continue;
      }
      this.#outbox.push({
        key: id,
        source: this.source.source,
        streamId: this.source.streamId,
        bodies: got.bodies,
        ...(got.split ? { split: got.split } : {}),
        onDone: async ({ accepted, tooLarge }) => {
          const outcome = tooLarge ? 'too_large' : accepted ? 'submitted' : 'rejected';
          await this.#done.set(id, outcome);
          this.#o.metrics?.submitted.inc({ poller: this.source.name, outcome });
          log.info({ id, accepted }, 'match submitted');
        },
      });
      if (!(await this.#outbox.flush())) return nextDelay(intervalMs, this.#outbox, true, retryMs);
    }
    return nextDelay(intervalMs, this.#outbox, false, retryMs);
  }

  #failed(id: string): void {
    const n = (this.#failures.get(id) ?? 0) + 1;
    if (n < this.#o.maxFailures) {
      this.#failures.set(id, n);
      return;
    }
    this.#o.log.warn({ id, failures: n }, 'given up after repeated failures (until restart)');
    this.#failures.delete(id);
    this.#pending.delete(id);
    this.#givenUp.add(id);
    if (this.#givenUp.size > 10_000) this.#givenUp.delete(this.#givenUp.values().next().value!);
  }
}
