// The processor's side of tenant plugins: which versions run on a match (the tenant's activations,
// read from the store and kept for a moment), loading them into the runtime, each plugin's per-match
// state (kept in memory after a committed batch, loaded from the store otherwise), one call per
// (plugin, match) per batch, and persisting a version that strikes disabled. A plugin that fails
// never fails the batch: its call is a strike, and the batch goes on without its outputs.
//
// The runtime's calls and the store's rows are the caller's to order: run() before the live send (the
// delta carries the values), its rows in the match's transaction, commit() after that transaction.
//
// A stateful plugin always sees a match's events as one contiguous run from seq 1, whenever it was
// activated and whatever failed: when its state is behind the batch (activated mid-match, or a call
// that failed), the missing events are read from the event archive (store/events.ts) and replayed
// first, in chunks. If the archive has not caught up yet, the plugin sits this batch out and the next
// one tries again; a long history is replayed over several batches (maxReplayEvents per batch).
import type { Envelope } from '@clutch/core';
import type { Logger } from 'pino';
import type { Store } from '../ports/store.ts';
import { archivedSeq, matchEvents } from '../store/events.ts';
import { activeVersions, getVersion, loadStates, markDisabled, type ActiveVersion, type PluginOutputRow, type PluginStateRow } from '../store/plugins.ts';

export type { ActiveVersion };
import { validatePlugin } from './manifest.ts';
import type { StatValue } from './output.ts';
import type { PluginDisabledEvent, PluginRuntime } from './runtime.ts';

export interface PluginHostOptions {
  runtime: PluginRuntime;
  store: Store;
  log: Logger;
  /** How long a tenant's active versions are kept before being read again (default 2 s). */
  cacheMs?: number;
  /** Per-match plugin states kept in memory (least recently used go first; reloaded from the store). */
  maxStates?: number;
  /** CPU time a tenant's plugin calls used, ms (usage metering). */
  onCpu?: (tenant: string, cpuMs: number) => void;
  /** A loaded version that has run on no match for this long is unloaded (default 10 min). */
  idleUnloadMs?: number;
  /** Events of a plugin's missed history replayed from the archive per batch (default 20,000). */
  maxReplayEvents?: number;
  /** Events per replay call (default 2,000). */
  replayChunk?: number;
}

/** What a match's plugins gave for one batch. */
export interface MatchPluginResult {
  /** For the live delta: `{ "name@version": { values } }` (absent when nothing was emitted). */
  delta: Record<string, { values: StatValue[] }> | undefined;
  outputs: PluginOutputRow[];
  states: PluginStateRow[];
}

export interface MatchBatch {
  tenant: string;
  matchId: string;
  tournamentId?: string | undefined;
  fromSeq: number;
  lastSeq: number;
  /** The events of the batch applied to the match, in seq order. */
  events: readonly Envelope[];
}

const pluginKey = (tenant: string, name: string, version: string) => `${tenant}/${name}@${version}`;
const stateKey = (tenant: string, matchId: string, name: string, version: string) => `${tenant}\u0000${matchId}\u0000${name}@${version}`;

/** The version of each plugin that runs on a match: a tournament's activation wins over the tenant-wide one. */
export function versionsFor(active: readonly ActiveVersion[], tournamentId: string | undefined): ActiveVersion[] {
  const byName = new Map<string, ActiveVersion>();
  for (const a of active) {
    if (a.tournamentId === undefined) {
      if (!byName.has(a.name)) byName.set(a.name, a);
    } else if (a.tournamentId === tournamentId) byName.set(a.name, a);
  }
  return [...byName.values()];
}

export class PluginHost {
  readonly runtime: PluginRuntime;
  readonly #o: PluginHostOptions;
  readonly #cacheMs: number;
  readonly #maxStates: number;
  readonly #maxReplay: number;
  readonly #chunk: number;
  readonly #active = new Map<string, { at: number; list: Promise<ActiveVersion[]> }>();
  readonly #loading = new Map<string, Promise<boolean>>();
  /** Versions that could not be loaded: not retried before this time. */
  readonly #failed = new Map<string, number>();
  /** When a disable was persisted, per key (a later read of the activations can enable it again). */
  readonly #persisted = new Map<string, number>();
  readonly #states = new Map<string, { state: string; lastSeq: number }>();
  /** When each loaded version was last runnable on a match. */
  readonly #lastUsed = new Map<string, number>();
  #lastSweep = Date.now();

  constructor(o: PluginHostOptions) {
    this.runtime = o.runtime;
    this.#o = o;
    this.#cacheMs = o.cacheMs ?? 2_000;
    this.#maxStates = o.maxStates ?? 10_000;
    this.#maxReplay = o.maxReplayEvents ?? 20_000;
    this.#chunk = o.replayChunk ?? 2_000;
  }

  /** For the runtime's onDisabled: persists the disable with its strikes, so the tenant sees why. */
  onDisabled = (e: PluginDisabledEvent): void => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const reason = { code: e.reason.code, message: e.reason.message, at: iso(e.at), strikes: e.strikes.map((s) => ({ code: s.code, message: s.message, at: iso(s.at) })) };
    void markDisabled(this.#o.store.db, e.tenant, e.name, e.version, reason).then(
      () => {
        this.#persisted.set(e.key, Date.now());
        this.invalidate(e.tenant);
        this.#o.log.warn({ plugin: e.key, code: e.reason.code }, 'plugin version disabled after too many strikes');
      },
      (err: unknown) => this.#o.log.error({ error: err, plugin: e.key }, 'could not persist a disabled plugin version'),
    );
  };

  /** Forget a tenant's active versions (the lifecycle API changed them). */
  invalidate(tenant: string): void {
    this.#active.delete(tenant);
  }

  /** Drops the per-match states in memory (partitions moved, or the processor restarts): they reload from the store. */
  clearStates(): void {
    this.#states.clear();
  }

  async #activeOf(tenant: string): Promise<{ list: ActiveVersion[]; at: number }> {
    const now = Date.now();
    let c = this.#active.get(tenant);
    if (!c || now - c.at > this.#cacheMs) {
      c = { at: now, list: activeVersions(this.#o.store.db, tenant) };
      this.#active.set(tenant, c);
      c.list.catch(() => this.#active.get(tenant) === c && this.#active.delete(tenant));
      if (this.#active.size > 10_000) this.#active.delete(this.#active.keys().next().value!);
    }
    return { list: await c.list, at: c.at };
  }

  /**
   * The loaded versions that run on a match now (empty for most tenants: ask before decoding events
   * for run()). With a title, only the versions whose manifest supports it.
   */
  async runnable(tenant: string, tournamentId: string | undefined, title?: string): Promise<ActiveVersion[]> {
    this.#sweep();
    const { list, at } = await this.#activeOf(tenant);
    const wanted = versionsFor(list, tournamentId);
    const out: ActiveVersion[] = [];
    for (const v of wanted) {
      if (!(await this.#ensureLoaded(tenant, v))) continue;
      const key = pluginKey(tenant, v.name, v.version);
      if (title !== undefined && !this.runtime.describe(key).titles.includes(title)) continue;
      const st = this.runtime.status(key);
      if (st.disabled) {
        // The store says it is not disabled: if that was read after this disable was persisted, the
        // tenant activated it again; until then it stays off.
        const persisted = this.#persisted.get(key);
        if (persisted === undefined || at <= persisted) continue;
        this.runtime.enable(key);
        this.#persisted.delete(key);
      }
      this.#lastUsed.set(key, Date.now());
      out.push(v);
    }
    return out;
  }

  /** Unloads the versions no match has run for idleUnloadMs (deactivated, replaced, or their tenant went quiet). */
  #sweep(): void {
    const idle = this.#o.idleUnloadMs ?? 10 * 60_000;
    const now = Date.now();
    if (now - this.#lastSweep < Math.min(idle, 60_000)) return;
    this.#lastSweep = now;
    for (const [key, used] of this.#lastUsed) {
      if (now - used < idle) continue;
      this.#lastUsed.delete(key);
      this.#persisted.delete(key);
      this.runtime.unload(key);
    }
  }

  async #ensureLoaded(tenant: string, v: ActiveVersion): Promise<boolean> {
    const key = pluginKey(tenant, v.name, v.version);
    try {
      this.runtime.status(key);
      return true;
    } catch {
      // not loaded yet
    }
    const until = this.#failed.get(key);
    if (until !== undefined && until > Date.now()) return false;
    let p = this.#loading.get(key);
    if (!p) {
      p = (async () => {
        try {
          const row = await getVersion(this.#o.store.db, tenant, v.name, v.version, { bundle: true });
          if (!row?.bundle) return false;
          await this.runtime.load(tenant, validatePlugin(row.manifest, row.bundle));
          this.#lastUsed.set(key, Date.now());
          this.#failed.delete(key);
          return true;
        } catch (err) {
          this.#failed.set(key, Date.now() + Math.max(this.#cacheMs, 1_000));
          this.#o.log.error({ error: err, plugin: key }, 'could not load an active plugin version; it is skipped');
          return false;
        } finally {
          this.#loading.delete(key);
        }
      })();
      this.#loading.set(key, p);
    }
    return p;
  }

  /**
   * Runs the match's active plugins (from runnable()) over the batch's events: one call per plugin. A failing call is
   * logged with its code (a strike, counted by the runtime) and leaves that plugin out of the result.
   */
  async run(m: MatchBatch, versions: readonly ActiveVersion[]): Promise<MatchPluginResult> {
    const none: MatchPluginResult = { delta: undefined, outputs: [], states: [] };
    if (!m.events.length || !versions.length) return none;
    // States not in memory (or in memory but not before this batch) come from the store.
    const known = new Map<string, { state: string; lastSeq: number } | undefined>();
    const missing: ActiveVersion[] = [];
    for (const v of versions) {
      const k = stateKey(m.tenant, m.matchId, v.name, v.version);
      const s = this.#states.get(k);
      if (s && s.lastSeq < m.fromSeq) known.set(k, s);
      else missing.push(v);
    }
    if (missing.length) {
      for (const r of await loadStates(this.#o.store.db, m.tenant, m.matchId, missing)) known.set(stateKey(m.tenant, m.matchId, r.plugin, r.version), { state: r.state, lastSeq: r.lastSeq });
    }
    const results = await Promise.all(versions.map((v) => this.#runOne(m, v, known.get(stateKey(m.tenant, m.matchId, v.name, v.version)))));
    const out: MatchPluginResult = { delta: undefined, outputs: [], states: [] };
    for (const res of results) {
      if (!res) continue;
      const { v } = res;
      if (res.values.length) {
        // The latest value per stat and subject of this batch (and any replay before it).
        const latest = new Map<string, StatValue>();
        for (const val of res.values) {
          const k = `${val.stat}\u0000${val.subject.kind}\u0000${val.subject.id}`;
          latest.delete(k);
          latest.set(k, val);
        }
        const values = [...latest.values()];
        (out.delta ??= {})[`${v.name}@${v.version}`] = { values };
        for (const val of values) out.outputs.push({ tenant: m.tenant, matchId: m.matchId, plugin: v.name, version: v.version, stat: val.stat, subjectKind: val.subject.kind, subjectId: val.subject.id, value: val.value, lastSeq: res.lastSeq });
      }
      if (res.state !== undefined) out.states.push({ tenant: m.tenant, matchId: m.matchId, plugin: v.name, version: v.version, state: res.state, lastSeq: res.lastSeq });
    }
    return out;
  }

  /** One plugin over one batch: the history it missed first (stateful plugins), then the batch. Undefined: nothing to keep. */
  async #runOne(m: MatchBatch, v: ActiveVersion, prev: { state: string; lastSeq: number } | undefined): Promise<{ v: ActiveVersion; values: StatValue[]; state: string | undefined; lastSeq: number } | undefined> {
    const key = pluginKey(m.tenant, v.name, v.version);
    // Its state has seen these events already (written by an earlier run of this batch).
    if (prev && prev.lastSeq >= m.fromSeq) return undefined;
    const { events: types, stateful } = this.runtime.describe(key);
    let state = prev?.state;
    let seen = prev?.lastSeq ?? 0;
    const values: StatValue[] = [];
    let called = false;
    if (stateful && seen < m.fromSeq - 1) {
      // Behind the batch: replay what it missed from the archive, if the archive has it all.
      let archived: number;
      try {
        archived = await archivedSeq(this.#o.store.db, m.tenant, m.matchId);
      } catch (err) {
        this.#o.log.warn({ plugin: key, matchId: m.matchId, error: err }, 'could not read the event archive; the plugin catches up on a later batch');
        return undefined;
      }
      if (archived < m.fromSeq - 1) {
        this.#o.log.debug({ plugin: key, matchId: m.matchId, seen, archived, fromSeq: m.fromSeq }, 'the archive is behind; the plugin catches up on a later batch');
        return undefined;
      }
      let budget = this.#maxReplay;
      while (seen < m.fromSeq - 1) {
        const limit = Math.min(this.#chunk, budget);
        if (limit <= 0) return called ? { v, values, state, lastSeq: seen } : undefined;
        const rows = await matchEvents(this.#o.store.db, m.tenant, m.matchId, { afterSeq: seen, upToSeq: m.fromSeq - 1, limit, types });
        budget -= rows.length;
        if (rows.length) {
          const r = await this.#invoke(key, m.matchId, rows.map((row) => JSON.parse(row.envelope) as Envelope), state);
          if (!r) return called ? { v, values, state, lastSeq: seen } : undefined;
          called = true;
          values.push(...r.values);
          state = r.state;
        }
        // Fewer than asked: every event of its types up to the batch has been replayed.
        seen = rows.length < limit ? m.fromSeq - 1 : rows[rows.length - 1]!.seq;
      }
    }
    const r = await this.#invoke(key, m.matchId, m.events, state);
    if (!r) return called ? { v, values, state, lastSeq: seen } : undefined;
    if (!stateful) return r.events === 0 ? undefined : { v, values: r.values, state: undefined, lastSeq: m.lastSeq };
    values.push(...r.values);
    // A batch without its types still moves its state's seq on ('' = not started: init() runs on the
    // next call), so the next batch does not look behind and read the archive for nothing.
    return { v, values, state: r.state ?? '', lastSeq: m.lastSeq };
  }

  /** One runtime call; a failure is logged (a strike, counted by the runtime) and gives undefined. The host's own 503s are retried once. */
  async #invoke(key: string, matchId: string, events: readonly Envelope[], state: string | undefined) {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await this.runtime.invoke(key, { matchId, events, state });
        if (r.cpuMs > 0) this.#o.onCpu?.(key.slice(0, key.indexOf('/')), r.cpuMs);
        return r;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt === 0 && (code === 'CLUTCH_PLUGIN_WORKER_RESTARTED' || code === 'CLUTCH_PLUGIN_STARVED' || code === 'CLUTCH_PLUGIN_OVERLOADED')) continue;
        if (code !== 'CLUTCH_PLUGIN_DISABLED') this.#o.log.warn({ plugin: key, matchId, seq: events[events.length - 1]?.seq, error: { code, message: (err as Error).message } }, 'plugin call failed; the batch goes on without its outputs');
        return undefined;
      }
    }
  }

  /** After the transaction that wrote `states` committed: they are what the next batch starts from. */
  commit(states: readonly PluginStateRow[]): void {
    for (const s of states) {
      const k = stateKey(s.tenant, s.matchId, s.plugin, s.version);
      this.#states.delete(k);
      this.#states.set(k, { state: s.state, lastSeq: s.lastSeq });
    }
    while (this.#states.size > this.#maxStates) this.#states.delete(this.#states.keys().next().value!);
  }
}
