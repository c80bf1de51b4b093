// The live client: one WebSocket to /v1/live (docs/live.md) that reconnects by itself and resumes
// every match where it left off, so the application sees each match's messages once, in seq order,
// with no gap — across network drops, server restarts and slow-consumer disconnects (4008).
//
//   const live = new LiveClient({ url: 'wss://api.clutch.example/v1/live', onMessage: (m) => … });
//   live.subscribe(['cs2-123']);          // snapshot, then deltas
//   live.follow({ titles: ['lol'] });     // every delta of every LoL match
//
// Works with the WebSocket of browsers and of Node 22+ (or pass one, e.g. from the `ws` package).

export type LiveMessageType = 'snapshot' | 'delta' | 'subscribed' | 'following' | 'error';

export interface LiveMessage {
  type: LiveMessageType;
  matchId?: string;
  seq?: number;
  /** delta: the first seq it covers (the previous message's seq + 1). */
  fromSeq?: number;
  /** snapshot: "history_gap" when the resume point was older than the retained history. */
  reason?: string;
  resumed?: boolean;
  code?: string;
  message?: string;
  title?: string;
  tournamentId?: string;
  occurredAt?: string;
  receivedAt?: string;
  processedAt?: string;
  sentAt?: string;
  stats?: unknown;
  /** snapshot and delta: the tenant's plugin values, by `name@version` (docs/plugins.md). */
  plugins?: Record<string, { values: Array<{ stat: string; subject: { kind: 'player' | 'team' | 'match'; id: string }; value: number | boolean | string }> }>;
  /** delta: the win-probability predictions made on its events, in seq order (docs/predictions.md). */
  predictions?: LivePrediction[];
  /** snapshot: the match's latest prediction, when it has one. */
  prediction?: LivePrediction;
  [k: string]: unknown;
}

/** A win-probability prediction (docs/live.md, docs/predictions.md). */
export interface LivePrediction {
  seq: number;
  kind: 'live' | 'draft';
  occurredAt: string;
  gameTimeMs: number;
  model: { name: string; version: string; base?: string };
  /** Each team's probability of winning the match (sum 1), in the match's team order. */
  teams: Array<{ id: string; name: string; probability: number }>;
  /** Shooters: P(the CT/defending side wins the round being played or the next). */
  round?: { number: number; ctTeam: string; probabilityCt: number };
  explanation: { towards: string; inputs: Array<{ feature: string; label: string; value: number; contribution: number }> };
  /** Live: the event that moved it and the win probability it added to `team`. */
  event?: { seq: number; type: string; player?: string; team?: string; wpa: number };
  /** Win probability added per player so far: on a match's last prediction and on a snapshot's `prediction`. */
  playerWpa?: Record<string, number>;
}

export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (ev: { data?: unknown; code?: number; reason?: string }) => void): void;
}
type SocketFactory = new (url: string) => SocketLike;

export interface LiveClientOptions {
  /** ws(s)://host/v1/live */
  url: string;
  /** An access token or API key (or a function giving one, e.g. clientCredentials()), sent as `access_token` on every (re)connect. */
  token?: string | (() => string | Promise<string>);
  /** Every message, in order per match, with duplicates removed. */
  onMessage: (m: LiveMessage) => void;
  onState?: (s: LiveState, info?: { code?: number; reason?: string }) => void;
  /** The WebSocket class (default: globalThis.WebSocket). */
  WebSocket?: SocketFactory;
  /** Reconnect back-off: from minBackoffMs, doubling, up to maxBackoffMs, with jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Subscriptions a connection may hold (the server's limit). */
export const MAX_SUBSCRIPTIONS = 100;
/** Matches seen through follow() that the client remembers (to resume them after a reconnect). */
const MAX_FOLLOWED_SEEN = 1000;

export class LiveClient {
  readonly #o: Required<Pick<LiveClientOptions, 'minBackoffMs' | 'maxBackoffMs'>> & LiveClientOptions;
  readonly #Socket: SocketFactory;
  #ws: SocketLike | undefined;
  #closed = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Matches subscribed explicitly → last seq delivered (undefined: nothing yet, a snapshot comes first). */
  readonly #matches = new Map<string, number | undefined>();
  /** Matches seen through follow() → last seq delivered (most recent last). */
  readonly #followed = new Map<string, number>();
  readonly #titles = new Set<string>();
  readonly #tournaments = new Set<string>();
  /** Counters, for tests and dashboards. */
  readonly stats = { connects: 0, reconnects: 0, duplicatesDropped: 0, gaps: 0, snapshots: 0 };

  constructor(o: LiveClientOptions) {
    this.#o = { minBackoffMs: 250, maxBackoffMs: 10_000, ...o };
    const Socket = o.WebSocket ?? (globalThis as { WebSocket?: SocketFactory }).WebSocket;
    if (!Socket) throw new Error('no WebSocket available: pass one (e.g. from the ws package) as options.WebSocket');
    this.#Socket = Socket;
    this.#connect();
  }

  /** Last seq delivered for a match (what a resume starts after). */
  lastSeq(matchId: string): number | undefined {
    return this.#matches.get(matchId) ?? this.#followed.get(matchId);
  }

  /** Subscribes to matches: a snapshot (unless `afterSeq` is given: the messages after it), then deltas. */
  subscribe(ids: readonly string[], opts: { afterSeq?: number } = {}): void {
    const fresh = ids.filter((id) => !this.#matches.has(id));
    for (const id of fresh) this.#matches.set(id, opts.afterSeq ?? this.#followed.get(id));
    this.#send({ op: 'subscribe', matches: fresh.map((id) => this.#entry(id)) }, fresh.length);
  }

  unsubscribe(ids: readonly string[]): void {
    const known = ids.filter((id) => this.#matches.delete(id));
    this.#send({ op: 'unsubscribe', matches: known }, known.length);
  }

  follow(o: { titles?: readonly string[]; tournaments?: readonly string[] }): void {
    const titles = (o.titles ?? []).filter((t) => !this.#titles.has(t));
    const tournaments = (o.tournaments ?? []).filter((t) => !this.#tournaments.has(t));
    titles.forEach((t) => this.#titles.add(t));
    tournaments.forEach((t) => this.#tournaments.add(t));
    this.#send({ op: 'follow', titles, tournaments }, titles.length + tournaments.length);
  }

  unfollow(o: { titles?: readonly string[]; tournaments?: readonly string[] }): void {
    const titles = (o.titles ?? []).filter((t) => this.#titles.delete(t));
    const tournaments = (o.tournaments ?? []).filter((t) => this.#tournaments.delete(t));
    this.#send({ op: 'unfollow', titles, tournaments }, titles.length + tournaments.length);
  }

  /** Drops the current connection now (it reconnects and resumes): for tests and for "retry now" buttons. */
  reconnect(): void {
    this.#ws?.close(4000, 'client reconnect');
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    // A socket still connecting is closed as soon as it opens: closing it now makes browsers log
    // "WebSocket is closed before the connection is established" (e.g. a page left at once).
    if (this.#ws?.readyState !== 0) this.#ws?.close(1000, 'client closed');
    this.#o.onState?.('closed');
  }

  // ---- internals ----------------------------------------------------------------------------------

  #entry(id: string): { id: string; afterSeq?: number } {
    const last = this.#matches.get(id) ?? this.#followed.get(id);
    return last === undefined ? { id } : { id, afterSeq: last };
  }

  #send(m: Record<string, unknown>, count: number): void {
    if (count === 0 || this.#ws?.readyState !== 1) return; // sent on (re)connect otherwise
    this.#ws.send(JSON.stringify(m));
  }

  #connect(): void {
    if (this.#closed) return;
    this.#o.onState?.(this.stats.connects === 0 ? 'connecting' : 'reconnecting');
    const token = this.#o.token;
    if (token !== undefined && typeof token !== 'string') {
      // A fresh token for every connection (tokens expire; reconnects may come hours later).
      Promise.resolve(token()).then(
        (t) => this.#open(t),
        () => this.#scheduleRetry(),
      );
      return;
    }
    this.#open(token);
  }

  /** The next connection attempt, after a back-off with jitter. */
  #scheduleRetry(): void {
    if (this.#closed) return;
    const base = Math.min(this.#o.maxBackoffMs, this.#o.minBackoffMs * 2 ** this.#attempt++);
    this.#timer = setTimeout(() => this.#connect(), base / 2 + Math.random() * (base / 2));
  }

  #open(token: string | undefined): void {
    if (this.#closed) return;
    const url = token === undefined ? this.#o.url : `${this.#o.url}${this.#o.url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
    const ws = new this.#Socket(url);
    this.#ws = ws;
    let opened = false;
    ws.addEventListener('open', () => {
      if (ws !== this.#ws) return;
      if (this.#closed) return ws.close(1000, 'client closed');
      opened = true;
      this.stats.connects++;
      this.#o.onState?.('open');
      this.#resume(ws);
    });
    ws.addEventListener('message', (ev) => {
      if (ws !== this.#ws || typeof ev.data !== 'string') return;
      let m: LiveMessage;
      try {
        m = JSON.parse(ev.data) as LiveMessage;
      } catch {
        return;
      }
      this.#receive(ws, m);
    });
    const lost = (ev: { code?: number; reason?: string }) => {
      if (ws !== this.#ws) return;
      this.#ws = undefined;
      if (this.#closed) return;
      this.stats.reconnects++;
      this.#o.onState?.('reconnecting', { ...(ev.code !== undefined ? { code: ev.code } : {}), ...(ev.reason ? { reason: ev.reason } : {}) });
      if (opened) this.#attempt = 0;
      this.#scheduleRetry();
    };
    ws.addEventListener('close', lost);
    ws.addEventListener('error', () => {
      try {
        ws.close();
      } catch {
        // already closed
      }
      lost({});
    });
  }

  /** On a new connection: follow again, and subscribe to every match with the last seq delivered. */
  #resume(ws: SocketLike): void {
    if (this.#titles.size || this.#tournaments.size) ws.send(JSON.stringify({ op: 'follow', titles: [...this.#titles], tournaments: [...this.#tournaments] }));
    const ids = [...this.#matches.keys()];
    // Followed matches resume too, most recently updated first, within the connection's limit.
    const room = MAX_SUBSCRIPTIONS - this.#titles.size - this.#tournaments.size - ids.length;
    const followed = [...this.#followed.keys()].reverse().filter((id) => !this.#matches.has(id)).slice(0, Math.max(0, room));
    const all = [...ids, ...followed];
    for (let i = 0; i < all.length; i += 100) ws.send(JSON.stringify({ op: 'subscribe', matches: all.slice(i, i + 100).map((id) => this.#entry(id)) }));
  }

  #receive(ws: SocketLike, m: LiveMessage): void {
    const id = m.matchId;
    if (id === undefined || m.seq === undefined || (m.type !== 'snapshot' && m.type !== 'delta')) {
      this.#o.onMessage(m);
      return;
    }
    const explicit = this.#matches.has(id);
    const last = explicit ? this.#matches.get(id) : this.#followed.get(id);
    if (m.type === 'snapshot') {
      // A snapshot is the whole state at its seq: it replaces what came before (history_gap), but
      // one older than what was delivered already is stale.
      if (last !== undefined && m.seq <= last) {
        this.stats.duplicatesDropped++;
        return;
      }
      this.stats.snapshots++;
    } else if (last !== undefined) {
      if (m.seq <= last) {
        this.stats.duplicatesDropped++;
        return;
      }
      if (m.fromSeq !== undefined && m.fromSeq > last + 1) {
        // Never expected from the server; repaired by resuming from the last seq delivered.
        this.stats.gaps++;
        ws.close(4000, 'gap: resuming');
        return;
      }
    }
    if (explicit) this.#matches.set(id, m.seq);
    else {
      this.#followed.delete(id);
      this.#followed.set(id, m.seq);
      if (this.#followed.size > MAX_FOLLOWED_SEEN) this.#followed.delete(this.#followed.keys().next().value!);
    }
    this.#o.onMessage(m);
  }
}
