// Tenant stat plugins (migration 0006, docs/plugins.md): versions, activations, the values active
// plugins emitted per match and their per-match state. Every query is parameterised and filtered by
// tenant. Outputs and states are written in the processor's transaction, guarded by last_seq, so a
// replayed batch changes nothing.
import { sql } from 'kysely';
import { upsertJson, type Db } from './db.ts';

export type PluginStatusName = 'active' | 'inactive' | 'disabled';

export interface DisabledReason {
  code: string;
  message: string;
  at: string;
  strikes: Array<{ code: string; message: string; at: string }>;
}

export interface PluginVersionRow {
  tenant: string;
  name: string;
  version: string;
  manifest: Record<string, unknown>;
  sha256: string;
  status: PluginStatusName;
  disabledReason: DisabledReason | null;
  disabledAt: Date | null;
  createdAt: Date;
  /** Only when asked for. */
  bundle?: string;
}

export interface ActivationRow {
  name: string;
  version: string;
  /** undefined: all the tenant's matches. */
  tournamentId: string | undefined;
  activatedAt: Date;
}

/** A version active for a tenant, with the scope it is active in. */
export interface ActiveVersion {
  name: string;
  version: string;
  tournamentId: string | undefined;
  sha256: string;
}

export interface PluginOutputRow {
  tenant: string;
  matchId: string;
  plugin: string;
  version: string;
  stat: string;
  subjectKind: string;
  subjectId: string;
  value: number | boolean | string;
  lastSeq: number;
}

export interface PluginStateRow {
  tenant: string;
  matchId: string;
  plugin: string;
  version: string;
  state: string;
  lastSeq: number;
}

const VERSION_COLUMNS = ['tenant_id', 'name', 'version', 'manifest', 'sha256', 'status', 'disabled_reason', 'disabled_at', 'created_at'] as const;

type RawVersion = { tenant_id: string; name: string; version: string; manifest: unknown; sha256: string; status: string; disabled_reason: unknown; disabled_at: Date | null; created_at: Date; bundle?: string };

function toVersion(r: RawVersion): PluginVersionRow {
  return {
    tenant: r.tenant_id,
    name: r.name,
    version: r.version,
    manifest: r.manifest as Record<string, unknown>,
    sha256: r.sha256,
    status: r.status as PluginStatusName,
    disabledReason: (r.disabled_reason as DisabledReason | null) ?? null,
    disabledAt: r.disabled_at,
    createdAt: r.created_at,
    ...(r.bundle !== undefined ? { bundle: r.bundle } : {}),
  };
}

/** Stores a new version; undefined when this tenant already has it (versions are immutable). */
export async function insertVersion(db: Db, v: { tenant: string; name: string; version: string; manifest: unknown; bundle: string; sha256: string }): Promise<PluginVersionRow | undefined> {
  const r = await db
    .insertInto('plugin_versions')
    .values({ tenant_id: v.tenant, name: v.name, version: v.version, manifest: JSON.stringify(v.manifest), bundle: v.bundle, sha256: v.sha256, status: 'inactive' })
    .onConflict((oc) => oc.columns(['tenant_id', 'name', 'version']).doNothing())
    .returning(VERSION_COLUMNS)
    .executeTakeFirst();
  return r ? toVersion(r as RawVersion) : undefined;
}

/** How many plugins (names) and how many versions of `name` the tenant has. */
export async function pluginCounts(db: Db, tenant: string, name: string): Promise<{ plugins: number; versions: number; hasName: boolean }> {
  const r = await db
    .selectFrom('plugin_versions')
    .select((eb) => [eb.fn.count<string>(sql`distinct name`).as('plugins'), eb.fn.count<string>(sql`case when name = ${name} then 1 end`).as('versions')])
    .where('tenant_id', '=', tenant)
    .executeTakeFirst();
  const versions = Number(r?.versions ?? 0);
  return { plugins: Number(r?.plugins ?? 0), versions, hasName: versions > 0 };
}

export async function getVersion(db: Db, tenant: string, name: string, version: string, o: { bundle?: boolean } = {}): Promise<PluginVersionRow | undefined> {
  const cols = o.bundle ? [...VERSION_COLUMNS, 'bundle' as const] : VERSION_COLUMNS;
  const r = await db.selectFrom('plugin_versions').select(cols).where('tenant_id', '=', tenant).where('name', '=', name).where('version', '=', version).executeTakeFirst();
  return r ? toVersion(r as RawVersion) : undefined;
}

/** The versions of a plugin, oldest first (at most `limit`). */
export async function listVersions(db: Db, tenant: string, name: string, limit = 1000): Promise<PluginVersionRow[]> {
  const rows = await db.selectFrom('plugin_versions').select(VERSION_COLUMNS).where('tenant_id', '=', tenant).where('name', '=', name).orderBy('created_at').orderBy('version').limit(limit).execute();
  return rows.map((r) => toVersion(r as RawVersion));
}

/** Every version of every plugin of the tenant (bounded by the per-tenant limits), oldest first. */
export async function listAllVersions(db: Db, tenant: string, limit = 10_000): Promise<PluginVersionRow[]> {
  const rows = await db.selectFrom('plugin_versions').select(VERSION_COLUMNS).where('tenant_id', '=', tenant).orderBy('name').orderBy('created_at').orderBy('version').limit(limit).execute();
  return rows.map((r) => toVersion(r as RawVersion));
}

export async function listActivations(db: Db, tenant: string, name?: string): Promise<Array<ActivationRow & { name: string }>> {
  let q = db.selectFrom('plugin_activations').select(['name', 'version', 'tournament_id', 'activated_at']).where('tenant_id', '=', tenant);
  if (name !== undefined) q = q.where('name', '=', name);
  const rows = await q.orderBy('name').orderBy('tournament_id').limit(10_000).execute();
  return rows.map((r) => ({ name: r.name, version: r.version, tournamentId: r.tournament_id === '' ? undefined : r.tournament_id, activatedAt: r.activated_at }));
}

/** The tenant's active versions (not disabled) with their scopes: what the processor runs. */
export async function activeVersions(db: Db, tenant: string): Promise<ActiveVersion[]> {
  const rows = await db
    .selectFrom('plugin_activations as a')
    .innerJoin('plugin_versions as v', (j) => j.onRef('v.tenant_id', '=', 'a.tenant_id').onRef('v.name', '=', 'a.name').onRef('v.version', '=', 'a.version'))
    .select(['a.name', 'a.version', 'a.tournament_id', 'v.sha256'])
    .where('a.tenant_id', '=', tenant)
    .where('v.status', '<>', 'disabled')
    .orderBy('a.name')
    .limit(10_000)
    .execute();
  return rows.map((r) => ({ name: r.name, version: r.version, tournamentId: r.tournament_id === '' ? undefined : r.tournament_id, sha256: r.sha256 }));
}

/** Sets each version's status from the activations: active when one points at it, inactive otherwise; disabled stays. */
async function refreshStatus(db: Db, tenant: string, name: string): Promise<void> {
  await sql`update plugin_versions v set status = case when exists (select 1 from plugin_activations a where a.tenant_id = v.tenant_id and a.name = v.name and a.version = v.version) then 'active' else 'inactive' end
    where v.tenant_id = ${tenant} and v.name = ${name} and v.status <> 'disabled'`.execute(db);
}

/**
 * Makes `version` the active one of plugin `name` for a scope (all matches, or a tournament's),
 * replacing the version active there before. Activating a disabled version enables it again (its
 * disabled reason is cleared). Returns the version it replaced, if any.
 */
export async function activate(db: Db, tenant: string, name: string, version: string, tournamentId: string | undefined): Promise<string | undefined> {
  const scope = tournamentId ?? '';
  const before = await db.selectFrom('plugin_activations').select('version').where('tenant_id', '=', tenant).where('name', '=', name).where('tournament_id', '=', scope).executeTakeFirst();
  await db
    .insertInto('plugin_activations')
    .values({ tenant_id: tenant, name, version, tournament_id: scope })
    .onConflict((oc) => oc.columns(['tenant_id', 'name', 'tournament_id']).doUpdateSet({ version, activated_at: sql`now()` }))
    .execute();
  await db.updateTable('plugin_versions').set({ status: 'inactive', disabled_reason: null, disabled_at: null }).where('tenant_id', '=', tenant).where('name', '=', name).where('version', '=', version).where('status', '=', 'disabled').execute();
  await refreshStatus(db, tenant, name);
  return before?.version;
}

/** Ends the activation of plugin `name` in a scope; returns the version that was active there (undefined: none). */
export async function deactivate(db: Db, tenant: string, name: string, tournamentId: string | undefined): Promise<string | undefined> {
  const r = await db.deleteFrom('plugin_activations').where('tenant_id', '=', tenant).where('name', '=', name).where('tournament_id', '=', tournamentId ?? '').returning('version').executeTakeFirst();
  await refreshStatus(db, tenant, name);
  return r?.version;
}

/** Deletes a version that no activation points at (with its per-match states); false when there was none. */
export async function deleteVersion(db: Db, tenant: string, name: string, version: string): Promise<boolean> {
  await db.deleteFrom('plugin_states').where('tenant_id', '=', tenant).where('plugin', '=', name).where('version', '=', version).execute();
  const r = await db.deleteFrom('plugin_versions').where('tenant_id', '=', tenant).where('name', '=', name).where('version', '=', version).returning('version').executeTakeFirst();
  return r !== undefined;
}

/** Strikes disabled a version: kept with why, until it is activated again. */
export async function markDisabled(db: Db, tenant: string, name: string, version: string, reason: DisabledReason): Promise<void> {
  await db
    .updateTable('plugin_versions')
    .set({ status: 'disabled', disabled_reason: JSON.stringify(reason), disabled_at: new Date(reason.at) })
    .where('tenant_id', '=', tenant)
    .where('name', '=', name)
    .where('version', '=', version)
    .execute();
}

/** The latest values per stat and subject (a row is only replaced by a higher last_seq). */
export async function writeOutputs(db: Db, rows: readonly PluginOutputRow[]): Promise<void> {
  if (!rows.length) return;
  await upsertJson(db, {
    table: 'plugin_outputs',
    columns: { tenant_id: 'text', match_id: 'text', plugin: 'text', version: 'text', stat: 'text', subject_kind: 'text', subject_id: 'text', value: 'jsonb', last_seq: 'bigint', updated_at: 'timestamptz' },
    rows: rows.map((r) => ({ tenant_id: r.tenant, match_id: r.matchId, plugin: r.plugin, version: r.version, stat: r.stat, subject_kind: r.subjectKind, subject_id: r.subjectId, value: r.value, last_seq: r.lastSeq, updated_at: new Date().toISOString() })),
    conflict: ['tenant_id', 'match_id', 'plugin', 'stat', 'subject_kind', 'subject_id'],
    update: ['version', 'value', 'last_seq', 'updated_at'],
    guard: 't.last_seq < excluded.last_seq',
  });
}

/** A match's plugin outputs for the tenant, by plugin, stat and subject (at most `limit`). */
export async function matchOutputs(db: Db, tenant: string, matchId: string, limit = 20_000): Promise<PluginOutputRow[]> {
  const rows = await db
    .selectFrom('plugin_outputs')
    .select(['tenant_id', 'match_id', 'plugin', 'version', 'stat', 'subject_kind', 'subject_id', 'value', 'last_seq'])
    .where('tenant_id', '=', tenant)
    .where('match_id', '=', matchId)
    .orderBy('plugin')
    .orderBy('version')
    .orderBy('stat')
    .orderBy('subject_kind')
    .orderBy('subject_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ tenant: r.tenant_id, matchId: r.match_id, plugin: r.plugin, version: r.version, stat: r.stat, subjectKind: r.subject_kind, subjectId: r.subject_id, value: r.value as number | boolean | string, lastSeq: Number(r.last_seq) }));
}

/** The stored states of some plugin versions for one match. */
export async function loadStates(db: Db, tenant: string, matchId: string, plugins: ReadonlyArray<{ name: string; version: string }>): Promise<PluginStateRow[]> {
  if (!plugins.length) return [];
  const rows = await db
    .selectFrom('plugin_states')
    .select(['plugin', 'version', 'state', 'last_seq'])
    .where('tenant_id', '=', tenant)
    .where('match_id', '=', matchId)
    .where('plugin', 'in', [...new Set(plugins.map((p) => p.name))])
    .execute();
  const wanted = new Set(plugins.map((p) => `${p.name}@${p.version}`));
  return rows.filter((r) => wanted.has(`${r.plugin}@${r.version}`)).map((r) => ({ tenant, matchId, plugin: r.plugin, version: r.version, state: r.state, lastSeq: Number(r.last_seq) }));
}

/** Per-match plugin states, replaced only by a higher last_seq. */
export async function writeStates(db: Db, rows: readonly PluginStateRow[]): Promise<void> {
  if (!rows.length) return;
  await upsertJson(db, {
    table: 'plugin_states',
    columns: { tenant_id: 'text', match_id: 'text', plugin: 'text', version: 'text', state: 'text', last_seq: 'bigint' },
    rows: rows.map((r) => ({ tenant_id: r.tenant, match_id: r.matchId, plugin: r.plugin, version: r.version, state: r.state, last_seq: r.lastSeq })),
    conflict: ['tenant_id', 'match_id', 'plugin', 'version'],
    update: ['state', 'last_seq'],
    guard: 't.last_seq < excluded.last_seq',
  });
}
