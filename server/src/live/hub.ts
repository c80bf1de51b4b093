// Live delivery, whatever the transport (WebSocket today; SSE and gRPC use the same sessions).
//
// The processor, after each batch, writes a match's stat delta to its history (Redis LiveHistory,
// by seq) and then publishes it on the tenant's channel. A session subscribes to matches:
// 1. it registers first, so every delta published from then on reaches it (held until step 3);
// 2. it catches up: with `afterSeq` (resume), the deltas after it from the history; without, or
//    when the history no longer reaches back to afterSeq, a snapshot of the match's stats;
// 3. it sends what it held, then live deltas as they come.
// Every message carries the match's seq and nothing at or below the last one sent is sent again, so
// the client sees each change once and in order: no gap (a delta's fromSeq is the previous seq + 1)
// and no duplicate, across any number of reconnects. Messages are serialised once per delta and
// shared by every session.
import type { Logger } from 'pino';
import type { CacheBackend, Unsubscribe } from '../ports/cache.ts';
import type { Store } from '../ports/store.ts';
import { historyKey, predictionKey, statsChannel, statsKey, type StatsDelta } from '../processing/processor.ts';
import { matchOutputs } from '../store/plugins.ts';
import { getMatchStats } from '../store/stats.ts';

/** What a session writes to: a WebSocket, an SSE response, a gRPC stream. */
export interface LiveSink {
  /** Queues a message: JSON text, its `type`, and the match's seq it carries (for SSE's id). */
  send(text: string, type: LiveMessageType, seq?: number): void;
  /** Bytes queued and not yet written to the network. */
  buffered(): number;
  /** Ends the connection (close code and reason, documented in docs/live.md). */
  close(code: number, reason: string): void;
}

export interface LiveLimits {
  /** Matches one session may follow at once. */
  maxSubscriptions: number;
  /** Bytes a client may leave unread before it is cut off as a slow consumer. */
  maxBufferedBytes: number;
  /** Deltas held per subscription while it catches up. */
  maxHeld: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = { maxSubscriptions: 100, maxBufferedBytes: 4 * 2 ** 20, maxHeld: 10_000 };

export type LiveMessageType = 'snapshot' | 'delta' | 'subscribed' | 'following' | 'error';

/** Close codes (docs/live.md). */
export const CLOSE = {
  goingAway: 1001,
  slowConsumer: 4008,
} as const;

const HISTORY_PAGE = 500;

interface Sub {
  session: LiveSession;
  matchId: string;
  /** Deltas heard while catching up; undefined once live. */
  held: Array<{ seq: number; text: string }> | undefined;
}

/** Every match of some titles or tournaments, as its deltas come (each delta carries the full stats). */
interface Follow {
  session: LiveSession;
  titles: Set<string>;
  tournaments: Set<string>;
}

interface Channel {
  ready: Promise<Unsubscribe>;
  subs: Map<string, Set<Sub>>;
  follows: Set<Follow>;
}

export class LiveHub {
  readonly #cache: CacheBackend;
  readonly #store: Store;
  readonly #log: Logger;
  readonly limits: LiveLimits;
  readonly #channels = new Map<string, Channel>();
  readonly #sessions = new Set<LiveSession>();

  /** @internal A message went to a session of this tenant (usage metering). */
  readonly onSent: ((tenant: string) => void) | undefined;
  /** A session of this tenant started a minute of streaming (usage metering: streamed minutes). */
  readonly #onMinute: ((tenant: string) => void) | undefined;
  readonly #minuteMs: number;
  readonly #clock: () => number;
  #minuteTimer: NodeJS.Timeout | undefined;

  constructor(o: { cache: CacheBackend; store: Store; log: Logger; limits?: Partial<LiveLimits>; onSent?: (tenant: string) => void; onMinute?: (tenant: string) => void; minuteMs?: number; clock?: () => number }) {
    this.onSent = o.onSent;
    this.#onMinute = o.onMinute;
    this.#minuteMs = o.minuteMs ?? 60_000;
    this.#clock = o.clock ?? Date.now;
    this.#cache = o.cache;
    this.#store = o.store;
    this.#log = o.log;
    this.limits = { ...DEFAULT_LIVE_LIMITS, ...o.limits };
  }

  /**
   * Streamed minutes: every started minute a session is open counts one (a session of 61 s is 2),
   * counted when it starts, so a process that dies has counted every minute it served.
   */
  #countMinutes(): void {
    const now = this.#clock();
    for (const s of this.#sessions) {
      while (s.minutesCounted * this.#minuteMs <= now - s.openedAt) {
        s.minutesCounted++;
        this.#onMinute?.(s.tenant);
      }
    }
  }

  get sessions(): number {
    return this.#sessions.size;
  }

  open(tenant: string, sink: LiveSink): LiveSession {
    const s = new LiveSession(this, tenant, sink, this.#clock());
    this.#sessions.add(s);
    if (this.#onMinute) {
      s.minutesCounted = 1;
      this.#onMinute(tenant);
      if (!this.#minuteTimer) {
        this.#minuteTimer = setInterval(() => this.#countMinutes(), Math.min(5_000, Math.max(10, this.#minuteMs / 4)));
        this.#minuteTimer.unref();
      }
    }
    return s;
  }

  /** Closes every session (they resume elsewhere) and leaves the channels. */
  async close(): Promise<void> {
    clearInterval(this.#minuteTimer);
    for (const s of [...this.#sessions]) s.end(CLOSE.goingAway, 'server shutting down: reconnect and resume');
    const channels = [...this.#channels.values()];
    this.#channels.clear();
    await Promise.allSettled(channels.map(async (c) => (await c.ready)()));
  }

  /** @internal */
  forget(s: LiveSession): void {
    this.#sessions.delete(s);
  }

  #channel(tenant: string): Channel {
    let ch = this.#channels.get(tenant);
    if (!ch) {
      const c: Channel = { subs: new Map(), follows: new Set(), ready: Promise.resolve(async () => {}) };
      c.ready = this.#cache.pubsub.subscribe(statsChannel(tenant), (m) => this.#onDelta(c, m));
      ch = c;
      this.#channels.set(tenant, ch);
      ch.ready.catch(() => this.#channels.delete(tenant));
    }
    return ch;
  }

  /** @internal */
  async follow(tenant: string, f: Follow): Promise<void> {
    const ch = this.#channel(tenant);
    ch.follows.add(f);
    await ch.ready;
  }

  /** @internal */
  unfollow(tenant: string, f: Follow): void {
    this.#channels.get(tenant)?.follows.delete(f);
  }

  /** @internal Registers a subscription (live deltas start being held for it at once). */
  async register(tenant: string, sub: Sub): Promise<void> {
    const ch = this.#channel(tenant);
    let set = ch.subs.get(sub.matchId);
    if (!set) ch.subs.set(sub.matchId, (set = new Set()));
    set.add(sub);
    await ch.ready;
  }

  /** @internal */
  unregister(tenant: string, sub: Sub): void {
    const set = this.#channels.get(tenant)?.subs.get(sub.matchId);
    set?.delete(sub);
    if (set?.size === 0) this.#channels.get(tenant)?.subs.delete(sub.matchId);
  }

  #onDelta(ch: Channel, message: string): void {
    let d: StatsDelta;
    try {
      d = JSON.parse(message) as StatsDelta;
    } catch (err) {
      this.#log.error({ error: err }, 'unreadable stat delta on the live channel');
      return;
    }
    const set = ch.subs.get(d.matchId);
    if (!set?.size && !ch.follows.size) return;
    let text: string | undefined; // serialised once, for every session, and only if someone wants it
    for (const sub of set ?? []) sub.session.deliver(sub.matchId, d.seq, (text ??= deltaMessage(d)));
    for (const f of ch.follows) {
      if (f.titles.has(d.title) || (d.tournamentId !== undefined && f.tournaments.has(d.tournamentId))) f.session.deliver(d.matchId, d.seq, (text ??= deltaMessage(d)));
    }
  }

  /** @internal The deltas of a match after `afterSeq`, oldest first, or 'gap' when the history no longer reaches back to it. */
  async history(tenant: string, matchId: string, afterSeq: number, each: (seq: number, text: string) => void): Promise<'ok' | 'gap'> {
    const key = historyKey(tenant, matchId);
    let after = afterSeq;
    for (let page = 0; ; page++) {
      const entries = await this.#cache.liveHistory.readAfter(key, after, HISTORY_PAGE);
      if (page === 0) {
        if (!entries.length) {
          // Nothing newer is held: up to date, unless the match moved on and its history is gone.
          const view = await this.view(tenant, matchId);
          return view && view.lastSeq > afterSeq ? 'gap' : 'ok';
        }
        const first = JSON.parse(entries[0]!.message) as StatsDelta;
        if (first.fromSeq > afterSeq + 1) return 'gap';
      }
      for (const e of entries) each(e.seq, deltaMessage(JSON.parse(e.message) as StatsDelta));
      if (entries.length < HISTORY_PAGE) return 'ok';
      after = entries.at(-1)!.seq;
    }
  }

  /**
   * @internal The tenant's stored plugin values of a match as JSON text, `{"name@version": {"values": [...]}}`
   * (undefined when none). Stored after the live send, so they may trail the snapshot's stats by a batch.
   */
  async pluginValues(tenant: string, matchId: string): Promise<string | undefined> {
    const rows = await matchOutputs(this.#store.db, tenant, matchId).catch((err: unknown) => {
      this.#log.warn({ error: err, matchId }, 'could not read plugin values for a snapshot');
      return [];
    });
    if (!rows.length) return undefined;
    const out: Record<string, { values: Array<{ stat: string; subject: { kind: string; id: string }; value: unknown }> }> = {};
    for (const r of rows) (out[`${r.plugin}@${r.version}`] ??= { values: [] }).values.push({ stat: r.stat, subject: { kind: r.subjectKind, id: r.subjectId }, value: r.value });
    return JSON.stringify(out);
  }

  /** @internal The match's latest win-probability prediction as JSON text (undefined: none, or Redis cold). */
  async prediction(tenant: string, matchId: string): Promise<string | undefined> {
    return (await this.#cache.cache.get(predictionKey(tenant, matchId)).catch(() => undefined)) ?? undefined;
  }

  /** @internal The match's current stats (Redis, else the store). */
  async view(tenant: string, matchId: string): Promise<{ lastSeq: number; text: string } | undefined> {
    const cached = await this.#cache.cache.get(statsKey(tenant, matchId)).catch(() => undefined);
    if (cached) return { lastSeq: (JSON.parse(cached) as { lastSeq: number }).lastSeq, text: cached };
    const v = await getMatchStats(this.#store.db, tenant, matchId);
    return v ? { lastSeq: v.lastSeq, text: JSON.stringify(v) } : undefined;
  }
}

function deltaMessage(d: StatsDelta): string {
  return JSON.stringify({
    type: 'delta',
    matchId: d.matchId,
    title: d.title,
    ...(d.tournamentId ? { tournamentId: d.tournamentId } : {}),
    seq: d.seq,
    fromSeq: d.fromSeq,
    occurredAt: d.occurredAt,
    receivedAt: d.receivedAt,
    processedAt: d.processedAt,
    sentAt: new Date().toISOString(),
    stats: d.stats,
    windows: d.windows,
    ...(d.plugins ? { plugins: d.plugins } : {}),
    ...(d.predictions ? { predictions: d.predictions } : {}),
    ...(d.predictionsOmitted ? { predictionsOmitted: d.predictionsOmitted } : {}),
  });
}

export class LiveSession {
  readonly #hub: LiveHub;
  readonly tenant: string;
  readonly #sink: LiveSink;
  readonly #subs = new Map<string, Sub>();
  /** The last seq sent per match, whichever subscription sent it: nothing is sent twice. */
  readonly #last = new Map<string, number>();
  readonly #follow: Follow;
  #closed = false;

  /** When it opened (ms), and the streamed minutes counted for it so far (the hub counts them). */
  readonly openedAt: number;
  minutesCounted = 0;

  constructor(hub: LiveHub, tenant: string, sink: LiveSink, openedAt: number) {
    this.#hub = hub;
    this.tenant = tenant;
    this.openedAt = openedAt;
    this.#sink = sink;
    this.#follow = { session: this, titles: new Set(), tournaments: new Set() };
  }

  get subscriptions(): number {
    return this.#subs.size + this.#follow.titles.size + this.#follow.tournaments.size;
  }

  #tooMany(what: Record<string, string>): boolean {
    if (this.subscriptions < this.#hub.limits.maxSubscriptions) return false;
    this.#send(JSON.stringify({ type: 'error', code: 'CLUTCH_LIVE_TOO_MANY_SUBSCRIPTIONS', message: `at most ${this.#hub.limits.maxSubscriptions} subscriptions per connection`, ...what }), 'error');
    return true;
  }

  /**
   * Follows every match of these titles and tournaments from now on: each of their deltas, which
   * carries the match's full stats. To resume a match after a reconnect, subscribe to it with
   * afterSeq as well (what the two send is never sent twice).
   */
  async follow(o: { titles?: readonly string[]; tournaments?: readonly string[] }): Promise<void> {
    if (this.#closed) return;
    for (const title of o.titles ?? []) if (!this.#follow.titles.has(title) && !this.#tooMany({ title })) this.#follow.titles.add(title);
    for (const t of o.tournaments ?? []) if (!this.#follow.tournaments.has(t) && !this.#tooMany({ tournament: t })) this.#follow.tournaments.add(t);
    await this.#hub.follow(this.tenant, this.#follow);
    this.#send(JSON.stringify({ type: 'following', titles: [...this.#follow.titles], tournaments: [...this.#follow.tournaments] }), 'following');
  }

  unfollow(o: { titles?: readonly string[]; tournaments?: readonly string[] }): void {
    for (const title of o.titles ?? []) this.#follow.titles.delete(title);
    for (const t of o.tournaments ?? []) this.#follow.tournaments.delete(t);
    if (!this.#follow.titles.size && !this.#follow.tournaments.size) this.#hub.unfollow(this.tenant, this.#follow);
  }

  /**
   * Follows a match. With afterSeq (the last seq the client saw), what it missed comes first; then
   * live deltas. A `subscribed` message marks the end of the catch-up.
   */
  async subscribe(matchId: string, afterSeq?: number): Promise<void> {
    if (this.#closed || this.#subs.has(matchId)) return;
    if (this.#tooMany({ matchId })) return;
    const sub: Sub = { session: this, matchId, held: [] };
    if (afterSeq !== undefined && afterSeq > this.#lastSent(matchId)) this.#setLast(matchId, afterSeq);
    this.#subs.set(matchId, sub);
    await this.#hub.register(this.tenant, sub);
    let resumed = false;
    let reason: string | undefined;
    if (afterSeq !== undefined) {
      const r = await this.#hub.history(this.tenant, matchId, afterSeq, (seq, text) => this.#emit(matchId, seq, text));
      resumed = r === 'ok';
      if (!resumed) reason = 'history_gap';
    }
    if (!resumed) {
      const view = await this.#hub.view(this.tenant, matchId);
      if (view && view.lastSeq > (afterSeq ?? -1) && view.lastSeq > this.#lastSent(matchId)) {
        const [plugins, prediction] = await Promise.all([this.#hub.pluginValues(this.tenant, matchId), this.#hub.prediction(this.tenant, matchId)]);
        this.#send(`{"type":"snapshot","matchId":${JSON.stringify(matchId)},"seq":${view.lastSeq},${reason ? `"reason":"${reason}",` : ''}"sentAt":"${new Date().toISOString()}",${plugins ? `"plugins":${plugins},` : ''}${prediction ? `"prediction":${prediction},` : ''}"stats":${view.text}}`, 'snapshot', view.lastSeq);
        this.#setLast(matchId, view.lastSeq);
      }
    }
    if (this.#subs.get(matchId) !== sub) return; // unsubscribed meanwhile
    const held = sub.held!;
    sub.held = undefined;
    for (const h of held) this.#emit(matchId, h.seq, h.text);
    this.#send(JSON.stringify({ type: 'subscribed', matchId, seq: this.#lastSent(matchId), resumed }), 'subscribed', this.#lastSent(matchId));
  }

  unsubscribe(matchId: string): void {
    const sub = this.#subs.get(matchId);
    if (!sub) return;
    this.#subs.delete(matchId);
    this.#hub.unregister(this.tenant, sub);
  }

  /** @internal A live delta of a match this session subscribes to or follows. */
  deliver(matchId: string, seq: number, text: string): void {
    // While the match's subscription catches up, its deltas wait (whoever delivers them): sending one
    // now would make the catch-up skip what comes before it.
    const held = this.#subs.get(matchId)?.held;
    if (held) {
      if (held.length >= this.#hub.limits.maxHeld) return this.end(CLOSE.slowConsumer, 'too far behind: reconnect and resume');
      held.push({ seq, text });
      return;
    }
    this.#emit(matchId, seq, text);
  }

  #lastSent(matchId: string): number {
    return this.#last.get(matchId) ?? 0;
  }

  #setLast(matchId: string, seq: number): void {
    this.#last.delete(matchId);
    this.#last.set(matchId, seq);
    // Bounded: a match not heard of for 10,000 others is forgotten (its seq only grows anyway).
    if (this.#last.size > 10_000) this.#last.delete(this.#last.keys().next().value!);
  }

  #emit(matchId: string, seq: number, text: string): void {
    if (seq <= this.#lastSent(matchId)) return; // seen already (history and live overlap, or a republished delta)
    this.#setLast(matchId, seq);
    this.#send(text, 'delta', seq);
  }

  #send(text: string, type: LiveMessageType, seq?: number): void {
    if (this.#closed) return;
    if (this.#sink.buffered() > this.#hub.limits.maxBufferedBytes) return this.end(CLOSE.slowConsumer, 'slow consumer: reconnect and resume');
    this.#sink.send(text, type, seq);
    if (type === 'delta' || type === 'snapshot') this.#hub.onSent?.(this.tenant);
  }

  /** Ends the session (the transport closed, or the server ends it with a close code). */
  end(code?: number, reason?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const sub of this.#subs.values()) this.#hub.unregister(this.tenant, sub);
    this.#subs.clear();
    this.#hub.unfollow(this.tenant, this.#follow);
    this.#hub.forget(this);
    if (code !== undefined) this.#sink.close(code, reason ?? '');
  }
}
