// The processor's side of tenant plugins: which versions run on a match (the tenant's activations,
// read from the store and kept for a moment), loading them into the runtime, each plugin's per-match
// state (kept in memory after a committed batch, loaded from the store otherwise), one call per
// (plugin, match) per batch, and persisting a version that strikes disabled. A plugin that fails
// never fails the batch: its call is a strike, and the batch goes on without its outputs.
//
// The runtime's calls and the store's rows are the caller's to order: run() before the live send (the
// delta carries the values), its rows in the match's transaction, commit() after that transaction.
import type { Envelope } from '@clutch/core';
import type { Logger } from 'pino';
import type { Store } from '../ports/store.ts';
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
  readonly #active = new Map<string, { at: number; list: Promise<ActiveVersion[]> }>();
  readonly #loading = new Map<string, Promise<boolean>>();
  /** Versions that could not be loaded: not retried before this time. */
  readonly #failed = new Map<string, number>();
  /** When a disable was persisted, per key (a later read of the activations can enable it again). */
  readonly #persisted = new Map<string, number>();
  readonly #states = new Map<string, { state: string; lastSeq: number }>();

  constructor(o: PluginHostOptions) {
    this.runtime = o.runtime;
    this.#o = o;
    this.#cacheMs = o.cacheMs ?? 2_000;
    this.#maxStates = o.maxStates ?? 10_000;
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

  /** The loaded versions that run on a match now (empty for most tenants: ask before decoding events for run()). */
  async runnable(tenant: string, tournamentId: string | undefined): Promise<ActiveVersion[]> {
    const { list, at } = await this.#activeOf(tenant);
    const wanted = versionsFor(list, tournamentId);
    const out: ActiveVersion[] = [];
    for (const v of wanted) {
      if (!(await this.#ensureLoaded(tenant, v))) continue;
      const key = pluginKey(tenant, v.name, v.version);
      const st = this.runtime.status(key);
      if (st.disabled) {
        // The store says it is not disabled: if that was read after this disable was persisted, the
        // tenant activated it again; until then it stays off.
        const persisted = this.#persisted.get(key);
        if (persisted === undefined || at <= persisted) continue;
        this.runtime.enable(key);
        this.#persisted.delete(key);
      }
      out.push(v);
    }
    return out;
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
    const results = await Promise.all(
      versions.map(async (v) => {
        const key = pluginKey(m.tenant, v.name, v.version);
        const prev = known.get(stateKey(m.tenant, m.matchId, v.name, v.version));
        // Its state has seen these events already (written by an earlier run of this batch).
        if (prev && prev.lastSeq >= m.fromSeq) return undefined;
        try {
          const r = await this.runtime.invoke(key, { matchId: m.matchId, events: m.events, state: prev?.state });
          return { v, r };
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code !== 'CLUTCH_PLUGIN_DISABLED') this.#o.log.warn({ plugin: key, matchId: m.matchId, seq: m.lastSeq, error: { code, message: (err as Error).message } }, 'plugin call failed; the batch goes on without its outputs');
          return undefined;
        }
      }),
    );
    const out: MatchPluginResult = { delta: undefined, outputs: [], states: [] };
    for (const res of results) {
      if (!res || res.r.events === 0) continue;
      const { v, r } = res;
      if (r.values.length) {
        // The latest value per stat and subject of this call.
        const latest = new Map<string, StatValue>();
        for (const val of r.values) latest.set(`${val.stat}\u0000${val.subject.kind}\u0000${val.subject.id}`, val);
        const values = [...latest.values()];
        (out.delta ??= {})[`${v.name}@${v.version}`] = { values };
        for (const val of values) out.outputs.push({ tenant: m.tenant, matchId: m.matchId, plugin: v.name, version: v.version, stat: val.stat, subjectKind: val.subject.kind, subjectId: val.subject.id, value: val.value, lastSeq: m.lastSeq });
      }
      if (r.state !== undefined) out.states.push({ tenant: m.tenant, matchId: m.matchId, plugin: v.name, version: v.version, state: r.state, lastSeq: m.lastSeq });
    }
    return out;
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
