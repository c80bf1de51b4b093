// Tenant stat plugins, the lifecycle API (docs/plugins.md), per tenant:
//   POST   /v1/plugins                                         upload a version ({ manifest, bundle })
//   GET    /v1/plugins                                         the tenant's plugins
//   GET    /v1/plugins/{name}                                  one plugin: its versions and activations
//   GET    /v1/plugins/{name}/versions                         its versions, oldest first
//   GET    /v1/plugins/{name}/versions/{version}               one version (status, why it was disabled)
//   DELETE /v1/plugins/{name}/versions/{version}               delete a version (refused while active)
//   POST   /v1/plugins/{name}/versions/{version}/test          run it over a stored match or inline events; stores nothing
//   POST   /v1/plugins/{name}/versions/{version}/activate      run it on all the tenant's matches, or a tournament's
//   POST   /v1/plugins/{name}/deactivate                       stop it (in a scope)
//   POST   /v1/plugins/{name}/rollback                         activate the version before the active one (in a scope)
//   GET    /v1/matches/{id}/plugins                            the values active plugins emitted for a match
// Uploads and test runs use a runtime of their own (testRuntime): a hostile test run never slows
// the processor's plugins nor counts strikes against the version that runs live.
import { createHash } from 'node:crypto';
import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import type { Envelope } from '@clutch/core';
import { createError, isClutchError } from '../errors.ts';
import { validateEnvelope } from '../events/codec.ts';
import { HOST_API_VERSION, MAX_BUNDLE_BYTES, validatePlugin, type PluginDefinition } from '../plugins/manifest.ts';
import type { PluginHost } from '../plugins/host.ts';
import type { StatValue } from '../plugins/output.ts';
import type { PluginRuntime } from '../plugins/runtime.ts';
import { compareVersions as compareParsed, parseVersion, VERSION_PATTERN } from '../plugins/semver.ts';
import type { Store } from '../ports/store.ts';
import { matchEvents } from '../store/events.ts';
import { getMatch } from '../store/matches.ts';
import { activate, deactivate, deleteVersion, getVersion, insertVersion, listActivations, listAllVersions, listVersions, matchOutputs, pluginCounts, type ActivationRow, type PluginVersionRow } from '../store/plugins.ts';
import type { Db } from '../store/db.ts';
import { ErrorBody, sendError } from './errors.ts';
import { Id } from './matches.ts';
import { effectivePlan, planOf } from '../platform/plans.ts';

/** Plugins (names) per tenant, versions per plugin. */
export const MAX_PLUGINS = 50;
export const MAX_VERSIONS = 100;
/** Events one test run may replay (in calls of at most TEST_CALL_EVENTS). */
export const MAX_TEST_EVENTS = 50_000;
const TEST_CALL_EVENTS = 5_000;
/** Inline events in a test-run body. */
export const MAX_INLINE_EVENTS = 5_000;
/** An upload: a bundle of at most 256 KiB and its manifest, as JSON. */
const UPLOAD_BODY_LIMIT = 300 * 1024;
const TEST_BODY_LIMIT = 4 * 1024 * 1024;

export const PluginUnknown = createError('CLUTCH_PLUGIN_NOT_FOUND', 'no plugin %s', 404);
export const VersionUnknown = createError('CLUTCH_PLUGIN_VERSION_NOT_FOUND', 'no version %s of plugin %s', 404);
export const VersionExists = createError('CLUTCH_PLUGIN_VERSION_EXISTS', 'version %s of plugin %s exists already; versions are immutable: bump the version', 409);
export const PluginLimit = createError('CLUTCH_PLUGIN_LIMIT', '%s', 409);
export const PluginPlanLimit = createError('CLUTCH_PLAN_LIMIT', 'plan %s allows %d active plugin(s) at once and %s already active: deactivate one, or upgrade (POST /v1/billing/checkout)', 403);
export const PluginActive = createError('CLUTCH_PLUGIN_ACTIVE', 'version %s of plugin %s is active (%s); deactivate it or activate another version first', 409);
export const PluginNotActive = createError('CLUTCH_PLUGIN_NOT_ACTIVE', 'plugin %s is not active %s', 409);
export const NoPreviousVersion = createError('CLUTCH_PLUGIN_NO_PREVIOUS_VERSION', 'plugin %s has no version before %s to roll back to (disabled versions are skipped)', 409);
export const TestInputInvalid = createError('CLUTCH_PLUGIN_TEST_INPUT_INVALID', 'test run: %s', 400);
export const MatchUnknown = createError('CLUTCH_MATCH_NOT_FOUND', 'no match %s', 404);

const Name = Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}[a-z0-9]$', description: 'The plugin name of its manifest.' });
const Version = Type.String({ pattern: VERSION_PATTERN, maxLength: 64, description: 'A semver version.' });
const Scope = Type.Object({ tournament: Type.Optional(Id) }, { additionalProperties: false, description: 'Without `tournament`: all the tenant\'s matches. With it: that tournament\'s matches (a tournament activation wins over the tenant-wide one).' });
const Json = Type.Record(Type.String(), Type.Unknown());

const Strike = Type.Object({ code: Type.String(), message: Type.String(), at: Type.String({ format: 'date-time' }) });
const Disabled = Type.Object({ code: Type.String({ description: 'The strike that disabled it.' }), message: Type.String(), at: Type.String({ format: 'date-time' }), strikes: Type.Array(Strike) });
const Activation = Type.Object({ version: Type.String(), tournament: Type.Union([Type.String(), Type.Null()], { description: 'null: all the tenant\'s matches.' }), activatedAt: Type.String({ format: 'date-time' }) });
const VersionSchema = Type.Object({
  name: Type.String(),
  version: Type.String(),
  status: Type.Enum(['active', 'inactive', 'disabled']),
  disabled: Type.Union([Disabled, Type.Null()], { description: 'Why strikes disabled it (activating it again clears this).' }),
  sha256: Type.String({ description: 'SHA-256 of the bundle, hex.' }),
  createdAt: Type.String({ format: 'date-time' }),
  manifest: Json,
  activations: Type.Array(Activation),
});
const PluginSchema = Type.Object({
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  latestVersion: Type.String({ description: 'The highest version (semver order).' }),
  versions: Type.Integer(),
  activations: Type.Array(Activation),
});
const Value = Type.Object({ stat: Type.String(), subject: Type.Object({ kind: Type.Enum(['player', 'team', 'match']), id: Type.String() }), value: Type.Union([Type.Number(), Type.Boolean(), Type.String()]) });
const TestResult = Type.Object({
  name: Type.String(),
  version: Type.String(),
  matchId: Type.String(),
  events: Type.Object({ read: Type.Integer({ description: 'Events of the match read.' }), passed: Type.Integer({ description: 'Events of the subscribed types passed to the plugin.' }) }),
  calls: Type.Integer(),
  outputs: Type.Array(Value, { description: 'The latest value per stat and subject, as stored stats would hold them.' }),
  state: Type.Union([Type.String(), Type.Null()], { description: 'The per-match state after the last successful call (JSON text), null without the state capability.' }),
  timings: Type.Object({ loadMs: Type.Number(), wallMs: Type.Number(), cpuMs: Type.Number({ description: 'CPU time in the isolate, all calls.' }), maxCallCpuMs: Type.Number() }),
  errors: Type.Array(Type.Object({ code: Type.String(), message: Type.String(), fromSeq: Type.Integer(), toSeq: Type.Integer() }), { description: 'A call that failed stops the run: the values before it are kept.' }),
  logs: Type.Array(Type.String()),
  logsDropped: Type.Integer(),
});
const MatchPlugins = Type.Object({
  matchId: Type.String(),
  plugins: Type.Record(Type.String(), Type.Object({ name: Type.String(), version: Type.String(), values: Type.Array(Type.Object({ ...Value.properties, seq: Type.Integer({ description: 'The seq of the batch that last set it.' }) })) }), { description: 'By `name@version`.' }),
});

export interface PluginsApiOptions {
  store: Store;
  tenant: (req: unknown) => string;
  /** Loads uploads and runs test runs (never the processor's runtime). */
  testRuntime: PluginRuntime;
  /** The processor's plugin host in this process, if any: told when activations change. */
  host?: PluginHost | undefined;
  /** Hold organisations to their plan's active plugins (docs/limits.md); off when limits are off (the demo). */
  planLimits?: boolean;
  /** The registry the processor's plugin runtime reports to in this process (GET /v1/plugins/{name}/metrics). */
  metrics?: Registry | undefined;
}

const iso = (d: Date) => d.toISOString();
/** A scope route called without a body: the scope is all the tenant's matches. */
const noBodyIsAllMatches = async (req: FastifyRequest) => {
  if (req.body === undefined || req.body === null) req.body = {};
};
/** Semver order of two stored (valid) versions. */
const compareVersions = (a: string, b: string) => compareParsed(parseVersion(a)!, parseVersion(b)!);
const presentActivation = (a: ActivationRow) => ({ version: a.version, tournament: a.tournamentId ?? null, activatedAt: iso(a.activatedAt) });
const presentVersion = (v: PluginVersionRow, activations: readonly ActivationRow[]) => ({
  name: v.name,
  version: v.version,
  status: v.status,
  disabled: v.disabledReason,
  sha256: v.sha256,
  createdAt: iso(v.createdAt),
  manifest: v.manifest,
  activations: activations.filter((a) => a.name === v.name && a.version === v.version).map(presentActivation),
});

const plugins: FastifyPluginAsyncTypebox<PluginsApiOptions> = async (app, opts) => {
  const db = opts.store.db;
  const rt = opts.testRuntime;
  const tags = ['plugins'];
  const VersionParams = Type.Object({ name: Name, version: Version });
  const NameParams = Type.Object({ name: Name });

  // Versions loaded in the test runtime, by key: unloaded when no test run uses them any more.
  const inUse = new Map<string, number>();
  const withLoaded = async <T>(tenant: string, def: PluginDefinition, f: (key: string, loadMs: number) => Promise<T>): Promise<T> => {
    const started = performance.now();
    const { key } = await rt.load(tenant, def);
    inUse.set(key, (inUse.get(key) ?? 0) + 1);
    try {
      return await f(key, performance.now() - started);
    } finally {
      const n = (inUse.get(key) ?? 1) - 1;
      if (n > 0) inUse.set(key, n);
      else {
        inUse.delete(key);
        rt.unload(key);
      }
    }
  };
  const mustGetVersion = async (tenant: string, name: string, version: string, bundle = false) => {
    const v = await getVersion(db, tenant, name, version, { bundle });
    if (!v) throw new VersionUnknown(version, name);
    return v;
  };
  const changed = (tenant: string) => opts.host?.invalidate(tenant);
  const mustGetVersionIn = async (trx: Db, tenant: string, name: string, version: string) => {
    const v = await getVersion(trx, tenant, name, version);
    if (!v) throw new VersionUnknown(version, name);
    return v;
  };

  app.post(
    '/v1/plugins',
    {
      bodyLimit: UPLOAD_BODY_LIMIT,
      schema: {
        summary: 'Upload a plugin version',
        description: `The manifest is validated (docs/plugins.md), the bundle (at most ${MAX_BUNDLE_BYTES / 1024} KiB) is loaded once in a sandbox to check it defines the plugin, and the version is stored inactive. Host API: ${HOST_API_VERSION}. Up to ${MAX_PLUGINS} plugins per tenant and ${MAX_VERSIONS} versions per plugin.`,
        tags,
        body: Type.Object({ manifest: Json, bundle: Type.String({ minLength: 1, maxLength: MAX_BUNDLE_BYTES }) }, { additionalProperties: false }),
        response: { 201: VersionSchema, 400: ErrorBody, 409: ErrorBody, 413: ErrorBody, 422: ErrorBody },
      },
    },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      let def: PluginDefinition;
      try {
        def = validatePlugin(req.body.manifest, req.body.bundle);
      } catch (err) {
        const details = (err as { details?: Array<{ in: string; path: string; message: string }> }).details;
        if (isClutchError(err) && details) return sendError(reply, 422, err.code, err.message, details);
        throw err;
      }
      const { name, version } = def.manifest;
      const counts = await pluginCounts(db, tenant, name);
      if (!counts.hasName && counts.plugins >= MAX_PLUGINS) throw new PluginLimit(`this tenant has ${counts.plugins} plugins, the most it may have; delete one first`);
      if (counts.versions >= MAX_VERSIONS) throw new PluginLimit(`plugin ${name} has ${counts.versions} versions, the most one may have; delete old ones first`);
      if (await getVersion(db, tenant, name, version)) throw new VersionExists(version, name);
      // Loads in a fresh isolate (syntax, `plugin`, `onEvents`, load-time limits): CLUTCH_PLUGIN_BUNDLE_INVALID.
      await withLoaded(tenant, def, async () => undefined);
      const row = await insertVersion(db, { tenant, name, version, manifest: def.manifest, bundle: def.bundle, sha256: createHash('sha256').update(def.bundle, 'utf8').digest('hex') });
      if (!row) throw new VersionExists(version, name);
      return reply.code(201).send(presentVersion(row, []));
    },
  );

  app.get(
    '/v1/plugins',
    { schema: { summary: "The tenant's plugins", description: `By name; at most ${MAX_PLUGINS}.`, tags, querystring: Type.Object({}, { additionalProperties: false }), response: { 200: Type.Object({ data: Type.Array(PluginSchema) }), 400: ErrorBody } } },
    async (req) => {
      const tenant = opts.tenant(req);
      const [versions, activations] = await Promise.all([listAllVersions(db, tenant), listActivations(db, tenant)]);
      const byName = new Map<string, PluginVersionRow[]>();
      for (const v of versions) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
      return {
        data: [...byName.entries()].map(([name, vs]) => {
          const latest = vs.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
          const d = latest.manifest['description'];
          return { name, description: typeof d === 'string' ? d : null, latestVersion: latest.version, versions: vs.length, activations: activations.filter((a) => a.name === name).map(presentActivation) };
        }),
      };
    },
  );

  app.get(
    '/v1/plugins/:name',
    { schema: { summary: 'A plugin', description: 'Its versions (oldest first) and where it is active.', tags, params: NameParams, response: { 200: Type.Object({ name: Type.String(), versions: Type.Array(VersionSchema), activations: Type.Array(Activation) }), 400: ErrorBody, 404: ErrorBody } } },
    async (req) => {
      const tenant = opts.tenant(req);
      const [versions, activations] = await Promise.all([listVersions(db, tenant, req.params.name), listActivations(db, tenant, req.params.name)]);
      if (!versions.length) throw new PluginUnknown(req.params.name);
      return { name: req.params.name, versions: versions.map((v) => presentVersion(v, activations)), activations: activations.map(presentActivation) };
    },
  );

  app.get(
    '/v1/plugins/:name/metrics',
    {
      schema: {
        summary: "A plugin's runtime metrics",
        description:
          "The plugin runtime's series for this tenant's plugin on this server (calls by outcome, events passed, errors by code, CPU and call time sums and counts, disablements), counters since the server started. Only the caller's own plugin: the server-wide /metrics is for operators.",
        tags,
        params: NameParams,
        response: {
          200: Type.Object({
            data: Type.Array(Type.Object({ metric: Type.String(), version: Type.String(), labels: Type.Record(Type.String(), Type.String()), value: Type.Number() })),
          }),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (req) => {
      const tenant = opts.tenant(req);
      if (!(await listVersions(db, tenant, req.params.name)).length) throw new PluginUnknown(req.params.name);
      const prefix = `${tenant}/${req.params.name}@`;
      const data: Array<{ metric: string; version: string; labels: Record<string, string>; value: number }> = [];
      for (const m of (await opts.metrics?.getMetricsAsJSON()) ?? []) {
        if (!m.name.startsWith('clutch_plugin_')) continue;
        for (const v of m.values) {
          const metric = (v as { metricName?: string }).metricName ?? m.name;
          const plugin = String(v.labels['plugin'] ?? '');
          if (!plugin.startsWith(prefix) || metric.endsWith('_bucket')) continue;
          const { plugin: _, ...labels } = v.labels;
          data.push({ metric, version: plugin.slice(prefix.length), labels: Object.fromEntries(Object.entries(labels).map(([k, x]) => [k, String(x)])), value: v.value });
        }
      }
      return { data };
    },
  );

  app.get(
    '/v1/plugins/:name/versions',
    { schema: { summary: "A plugin's versions", description: `Oldest first; at most ${MAX_VERSIONS}.`, tags, params: NameParams, response: { 200: Type.Object({ data: Type.Array(VersionSchema) }), 400: ErrorBody, 404: ErrorBody } } },
    async (req) => {
      const tenant = opts.tenant(req);
      const [versions, activations] = await Promise.all([listVersions(db, tenant, req.params.name), listActivations(db, tenant, req.params.name)]);
      if (!versions.length) throw new PluginUnknown(req.params.name);
      return { data: versions.map((v) => presentVersion(v, activations)) };
    },
  );

  app.get(
    '/v1/plugins/:name/versions/:version',
    { schema: { summary: 'A plugin version', description: 'With its status; `disabled` says why strikes disabled it.', tags, params: VersionParams, response: { 200: VersionSchema, 400: ErrorBody, 404: ErrorBody } } },
    async (req) => {
      const tenant = opts.tenant(req);
      const v = await mustGetVersion(tenant, req.params.name, req.params.version);
      return presentVersion(v, await listActivations(db, tenant, req.params.name));
    },
  );

  app.delete(
    '/v1/plugins/:name/versions/:version',
    { schema: { summary: 'Delete a plugin version', description: 'Refused while the version is active anywhere. The values it emitted stay with the matches.', tags, params: VersionParams, response: { 204: Type.Null(), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody } } },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      const { name, version } = req.params;
      await db.transaction().execute(async (trx) => {
        if (!(await getVersion(trx, tenant, name, version))) throw new VersionUnknown(version, name);
        const active = (await listActivations(trx, tenant, name)).filter((a) => a.version === version);
        if (active.length) throw new PluginActive(version, name, active.map((a) => (a.tournamentId ? `tournament ${a.tournamentId}` : 'all matches')).join(', '));
        await deleteVersion(trx, tenant, name, version);
      });
      changed(tenant);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/plugins/:name/versions/:version/activate',
    {
      preValidation: noBodyIsAllMatches,
      schema: {
        summary: 'Activate a plugin version',
        description: 'It runs on every batch of the scope\'s matches from now on (events before activation are not replayed), replacing the version active there before. Activating a disabled version enables it again.',
        tags,
        params: VersionParams,
        body: Scope,
        response: { 200: Type.Object({ name: Type.String(), version: Type.String(), tournament: Type.Union([Type.String(), Type.Null()]), replaced: Type.Union([Type.String(), Type.Null()]) }), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const tenant = opts.tenant(req);
      const { name, version } = req.params;
      const tournament = req.body.tournament;
      const replaced = await db.transaction().execute(async (trx) => {
        await mustGetVersionIn(trx, tenant, name, version);
        if (opts.planLimits) {
          // The organisation's row locked: two activations at once cannot both take the last slot.
          const org = await trx.selectFrom('tenants').select(['plan', 'billing_status', 'grace_until']).where('id', '=', tenant).forUpdate().executeTakeFirst();
          const plan = planOf(org ? effectivePlan(org) : undefined);
          // Plugins count once whatever their scopes; another version of this one replaces it.
          const others = [...new Set((await listActivations(trx, tenant)).map((a) => a.name))].filter((n) => n !== name);
          if (others.length >= plan.activePlugins) throw new PluginPlanLimit(plan.name, plan.activePlugins, others.slice(0, 5).join(', ') + (others.length > 5 ? ', …' : ''));
        }
        return activate(trx, tenant, name, version, tournament);
      });
      changed(tenant);
      return { name, version, tournament: tournament ?? null, replaced: replaced ?? null };
    },
  );

  app.post(
    '/v1/plugins/:name/deactivate',
    { preValidation: noBodyIsAllMatches, schema: { summary: 'Deactivate a plugin', description: 'Stops it in the scope. Its stored values stay.', tags, params: NameParams, body: Scope, response: { 200: Type.Object({ name: Type.String(), version: Type.String({ description: 'The version that was active.' }), tournament: Type.Union([Type.String(), Type.Null()]) }), 400: ErrorBody, 409: ErrorBody } } },
    async (req) => {
      const tenant = opts.tenant(req);
      const tournament = req.body.tournament;
      const was = await deactivate(db, tenant, req.params.name, tournament);
      if (!was) throw new PluginNotActive(req.params.name, tournament ? `for tournament ${tournament}` : 'for all matches');
      changed(tenant);
      return { name: req.params.name, version: was, tournament: tournament ?? null };
    },
  );

  app.post(
    '/v1/plugins/:name/rollback',
    {
      preValidation: noBodyIsAllMatches,
      schema: {
        summary: 'Roll back a plugin',
        description: 'Activates, in the scope, the highest version below the active one (semver order; disabled versions are skipped).',
        tags,
        params: NameParams,
        body: Scope,
        response: { 200: Type.Object({ name: Type.String(), version: Type.String(), tournament: Type.Union([Type.String(), Type.Null()]), replaced: Type.String() }), 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const tenant = opts.tenant(req);
      const { name } = req.params;
      const tournament = req.body.tournament;
      const r = await db.transaction().execute(async (trx) => {
        const current = (await listActivations(trx, tenant, name)).find((a) => (a.tournamentId ?? null) === (tournament ?? null));
        if (!current) throw new PluginNotActive(name, tournament ? `for tournament ${tournament}` : 'for all matches');
        const older = (await listVersions(trx, tenant, name)).filter((v) => v.status !== 'disabled' && compareVersions(v.version, current.version) < 0);
        if (!older.length) throw new NoPreviousVersion(name, current.version);
        const previous = older.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
        await activate(trx, tenant, name, previous.version, tournament);
        return { version: previous.version, replaced: current.version };
      });
      changed(tenant);
      return { name, version: r.version, tournament: tournament ?? null, replaced: r.replaced };
    },
  );

  app.post(
    '/v1/plugins/:name/versions/:version/test',
    {
      bodyLimit: TEST_BODY_LIMIT,
      schema: {
        summary: 'Test-run a plugin version',
        description: `Runs the version, in a sandbox of the API, over a stored match (its archived events, at most ${MAX_TEST_EVENTS}) or over inline canonical events (at most ${MAX_INLINE_EVENTS}, one match, increasing seq; their tenant is the caller's), in calls of up to ${TEST_CALL_EVENTS} events, as the processor would. Answers with the outputs, timings, errors and logs. Stores nothing, and its failures are not strikes.`,
        tags,
        params: VersionParams,
        body: Type.Object(
          { matchId: Type.Optional(Id), events: Type.Optional(Type.Array(Json, { minItems: 1, maxItems: MAX_INLINE_EVENTS })) },
          { additionalProperties: false, description: 'Exactly one of `matchId` and `events`.' },
        ),
        response: { 200: TestResult, 400: ErrorBody, 404: ErrorBody, 422: ErrorBody, 503: ErrorBody },
      },
    },
    async (req) => {
      const tenant = opts.tenant(req);
      const { name, version } = req.params;
      const b = req.body;
      if ((b.matchId === undefined) === (b.events === undefined)) throw new TestInputInvalid('give exactly one of matchId and events');
      const row = await mustGetVersion(tenant, name, version, true);
      let events: Envelope[];
      if (b.matchId !== undefined) {
        events = [];
        let after = 0;
        for (;;) {
          const page = await matchEvents(db, tenant, b.matchId, { afterSeq: after, limit: Math.min(TEST_CALL_EVENTS, MAX_TEST_EVENTS - events.length) });
          for (const p of page) events.push(JSON.parse(p.envelope) as Envelope);
          if (page.length < TEST_CALL_EVENTS || events.length >= MAX_TEST_EVENTS) break;
          after = page[page.length - 1]!.seq;
        }
        if (!events.length) throw new MatchUnknown(`${b.matchId} with archived events`);
      } else {
        events = b.events!.map((raw, i) => {
          try {
            return validateEnvelope({ ...raw, tenant });
          } catch (err) {
            throw new TestInputInvalid(`events/${i}: ${(err as Error).message}`);
          }
        });
        const matchId = events[0]!.matchId;
        if (events.some((e) => e.matchId !== matchId)) throw new TestInputInvalid('the events are of more than one match');
      }
      const matchId = events[0]!.matchId;
      const def = validatePlugin(row.manifest, row.bundle);
      return withLoaded(tenant, def, async (key, loadMs) => {
        const started = performance.now();
        const latest = new Map<string, StatValue>();
        const errors: Array<{ code: string; message: string; fromSeq: number; toSeq: number }> = [];
        const logs: string[] = [];
        let state: string | undefined;
        let calls = 0;
        let passed = 0;
        let cpuMs = 0;
        let maxCallCpuMs = 0;
        let logsDropped = 0;
        for (let i = 0; i < events.length; i += TEST_CALL_EVENTS) {
          const part = events.slice(i, i + TEST_CALL_EVENTS);
          try {
            const r = await rt.invoke(key, { matchId, events: part, state });
            if (r.events === 0) continue;
            calls++;
            passed += r.events;
            cpuMs += r.cpuMs;
            maxCallCpuMs = Math.max(maxCallCpuMs, r.cpuMs);
            for (const v of r.values) latest.set(`${v.stat}\u0000${v.subject.kind}\u0000${v.subject.id}`, v);
            state = r.state;
            if (logs.length < 1000) logs.push(...r.logs.slice(0, 1000 - logs.length));
            logsDropped += r.logsDropped;
          } catch (err) {
            const code = (err as { code?: string }).code ?? 'CLUTCH_INTERNAL';
            // The caller's mistakes (wrong title, unordered seqs) and an overloaded runtime are answers of their own.
            if (code === 'CLUTCH_PLUGIN_BAD_CALL' || code === 'CLUTCH_PLUGIN_OVERLOADED' || code === 'CLUTCH_PLUGIN_WORKER_RESTARTED' || code === 'CLUTCH_PLUGIN_RUNTIME_CLOSED') throw err;
            errors.push({ code, message: (err as Error).message, fromSeq: part[0]!.seq, toSeq: part[part.length - 1]!.seq });
            break;
          }
        }
        const round = (x: number) => Math.round(x * 1000) / 1000;
        return {
          name,
          version,
          matchId,
          events: { read: events.length, passed },
          calls,
          outputs: [...latest.values()],
          state: state ?? null,
          timings: { loadMs: round(loadMs), wallMs: round(performance.now() - started), cpuMs: round(cpuMs), maxCallCpuMs: round(maxCallCpuMs) },
          errors,
          logs,
          logsDropped,
        };
      });
    },
  );

  app.get(
    '/v1/matches/:id/plugins',
    {
      schema: {
        summary: "A match's plugin values",
        description: "The latest value per stat and subject that the tenant's active plugins emitted for the match, by `name@version`. Visible to the tenant only.",
        tags: ['matches', ...tags],
        params: Type.Object({ id: Id }),
        response: { 200: MatchPlugins, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const tenant = opts.tenant(req);
      const rows = await matchOutputs(db, tenant, req.params.id);
      if (!rows.length && !(await getMatch(db, tenant, req.params.id))) throw new MatchUnknown(req.params.id);
      const out: Record<string, { name: string; version: string; values: Array<StatValue & { seq: number }> }> = {};
      for (const r of rows) {
        const g = (out[`${r.plugin}@${r.version}`] ??= { name: r.plugin, version: r.version, values: [] });
        g.values.push({ stat: r.stat, subject: { kind: r.subjectKind as StatValue['subject']['kind'], id: r.subjectId }, value: r.value, seq: r.lastSeq });
      }
      return { matchId: req.params.id, plugins: out };
    },
  );
};

export default plugins;
