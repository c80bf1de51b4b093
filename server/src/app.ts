// The whole application as one Fastify instance: infra (already connected) → services (processor,
// simulator) → routes. server.ts starts the process; tests build the app in-process with inject().
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.ts';
import type { Infra } from './infra/wiring.ts';
import { installErrorHandler } from './api/errors.ts';
import health from './api/health.ts';
import home from './api/home.ts';
import catalog from './api/catalog.ts';
import httpCache from './api/http-cache.ts';
import matches from './api/matches.ts';
import { microCached } from './api/micro-cache.ts';
import metrics from './api/metrics.ts';
import openapi from './api/openapi.ts';
import ingestHttp from './ingest/http.ts';
import { startParserStage } from './ingest/parser-stage.ts';
import { startSequencerStage } from './ingest/sequencer-stage.ts';
import { availableSources } from './ingest/adapters/registry.ts';
import { startSimulator, type Simulator } from './ingest/simulator.ts';
import { startPollers, type Pollers } from './ingest/pollers/index.ts';
import type { Stage } from './streams/stateful-stage.ts';
import { createIngestToken, findIngestToken } from './store/ingest-tokens.ts';
import stats from './api/stats.ts';
import predictionsApi from './api/predictions.ts';
import live from './api/live.ts';
import grpc, { grpcTenant } from './api/grpc.ts';
import apps from './api/apps.ts';
import oauth from './api/oauth.ts';
import orgs from './api/orgs.ts';
import signin from './api/signin.ts';
import { SignInProviders } from './auth/providers.ts';
import { SessionCookies } from './auth/session.ts';
import auth, { tenantOf, type AuthOptions } from './auth/plugin.ts';
import { KeyRing } from './auth/keys.ts';
import { SCOPE_DOCS } from './auth/scopes.ts';
import underPressure from '@fastify/under-pressure';
import { ipGuard, planLimits, usageApi } from './platform/rate-limit.ts';
import { sealPlainSecrets } from './store/webhooks.ts';
import { Quotas } from './platform/quota.ts';
import { ledgerApi, Meter, metering } from './platform/usage.ts';
import { billingApi, billingSettings, stripeClient } from './platform/billing.ts';
import { MeterReporter } from './platform/meter-report.ts';
import { createError } from './errors.ts';
import type { TokenSettings } from './auth/tokens.ts';
import webhooks from './api/webhooks.ts';
import pluginsApi from './api/plugins.ts';
import { PluginHost } from './plugins/host.ts';
import { PluginRuntime } from './plugins/runtime.ts';
import { startDispatcher, type Dispatcher } from './webhooks/dispatcher.ts';
import { startRouter, type Router } from './webhooks/router.ts';
import { LiveHub } from './live/hub.ts';
import { startArchiver, type Archiver } from './processing/archiver.ts';
import { startProcessor, type Processor } from './processing/processor.ts';
import { ensureTenant } from './store/tenants.ts';
import { groupName, topicNames, topicSpecs } from './topics.ts';

export interface AppOptions {
  config: Config;
  infra: Infra;
  logger: Logger;
}

/** Load shedding's answer (under-pressure). */
const Overloaded = createError('CLUTCH_OVERLOADED', 'the server is overloaded; retry in a few seconds', 503);

export async function buildApp({ config, infra, logger }: AppOptions): Promise<FastifyInstance> {
  const options = {
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    // Bounded work per connection and per request.
    connectionTimeout: 60_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    routerOptions: { maxParamLength: 256 },
    // Unknown properties are refused (400), not silently dropped: a mistyped query parameter must not
    // look like a filter that was applied.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true } },
    // With a certificate: HTTPS, HTTP/2 and HTTP/1.1 on one port, chosen per connection by ALPN.
    ...(config.tls ? { http2: true, https: { allowHTTP1: true, cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } } : {}),
  };
  // One app type for both servers: routes and plugins only use the request/reply API, the same on HTTP/2.
  const app = (Fastify(options as FastifyServerOptions) as unknown as FastifyInstance).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandler(app);
  // Every route is classified when registered (auth/scopes.ts), so auth comes before any route.
  const tokenSettings: TokenSettings = { issuer: config.auth.issuer, audience: config.auth.audience, ttlSeconds: config.auth.tokenTtlSeconds, leewaySeconds: 30 };
  const keys = new KeyRing({ db: infra.store.db, kek: config.auth.signingKek, tokenTtlMs: config.auth.tokenTtlSeconds * 1000 });
  const authOptions: AuthOptions = { db: infra.store.db, keys, tokens: tokenSettings, anonymousTenant: config.auth.anonymousTenant, cacheMs: config.auth.cacheMs };
  // Dashboard sessions. Without a secret there is no sign-in provider (config.ts), so no session can be
  // made: a key of this process only is enough to refuse any cookie presented.
  const sessionCookies = new SessionCookies({ secret: config.signIn.sessionSecret ?? randomBytes(32).toString('base64'), ttlSeconds: config.signIn.sessionTtlSeconds, secure: config.signIn.secureCookies });
  if (config.limits.shedEventLoopDelayMs > 0) {
    // Load shedding: while the event loop lags, answer 503 at once rather than queue (health stays up).
    await app.register(underPressure, {
      maxEventLoopDelay: config.limits.shedEventLoopDelayMs,
      retryAfter: 5,
      exposeStatusRoute: false,
      customError: Overloaded,
    });
  }
  if (config.limits.enabled) await app.register(ipGuard, { limiter: infra.cache.rateLimiter, perIp: { limit: config.limits.ipPerMinute, windowMs: 60_000 }, failures: { limit: config.limits.authFailuresPerMinute, windowMs: 60_000 } });
  await app.register(auth, { ...authOptions, sessions: sessionCookies });
  const meter = new Meter({ counters: infra.cache.counters, db: infra.store.db, log: logger.child({ 'log.logger': 'usage' }), flushMs: config.usageFlushMs });
  await app.register(metering, { meter });
  const quotas = new Quotas({ db: infra.store.db });
  if (config.limits.enabled) await app.register(planLimits, { limiter: infra.cache.rateLimiter, leases: infra.cache.leases, quotas, db: infra.store.db });
  if (config.auth.anonymousTenant) logger.warn({ tenant: config.auth.anonymousTenant }, 'requests without credentials act as this tenant with every scope (CLUTCH_AUTH_ANONYMOUS_TENANT): for development and the demo only');
  const kek = config.auth.signingKek;
  if (!kek) logger.warn('token signing keys and webhook signing secrets are stored unencrypted: set CLUTCH_SIGNING_KEK in production');
  else {
    const sealed = await sealPlainSecrets(infra.store.db, kek);
    if (sealed) logger.info({ webhooks: sealed }, 'webhook signing secrets stored before CLUTCH_SIGNING_KEK was set are now sealed');
  }
  let shuttingDown = false;
  app.addHook('preClose', async () => {
    shuttingDown = true;
  });
  // A keep-alive connection whose request was in flight at close() would otherwise stay open until
  // its keep-alive timeout and hold up shutdown: tell the client to close it with the response.
  app.addHook('onSend', async (_req, reply) => {
    if (shuttingDown) reply.header('connection', 'close');
  });

  await app.register(openapi, { version: (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version, tokenUrl: `${config.auth.issuer.replace(/\/$/, '')}/oauth/token`, scopes: SCOPE_DOCS, sessionCookie: sessionCookies.sessionCookie });
  await app.register(metrics, { token: config.metricsToken });
  await app.register(health, { dependencies: infra.dependencies, isShuttingDown: () => shuttingDown });

  const topics = topicNames(config.kafkaTopicPrefix);
  await infra.store.migrate();
  await infra.eventLog.ensureTopics(topicSpecs(topics));
  await ensureTenant(infra.store.db, config.defaultTenant, config.defaultTenant);

  if (config.roles.includes('ingest')) {
    await app.register(ingestHttp, { eventLog: infra.eventLog, store: infra.store, topics, metrics: app.metrics, appendTimeoutMs: config.ingestAppendTimeoutMs, onAccepted: (tenant, n) => meter.record(tenant, undefined, 'ingest_payload', n) });
    if (config.demoIngestTokens) await ensureDemoTokens(infra, config.defaultTenant);
  }

  // Tenant plugins: one runtime for the processor's calls (process role), another for uploads and test
  // runs (api role), so a test run never slows live processing nor strikes a live version.
  let pluginRuntime: PluginRuntime | undefined;
  let pluginHost: PluginHost | undefined;
  let testRuntime: PluginRuntime | undefined;
  if (config.roles.includes('process')) {
    const log = logger.child({ 'log.logger': 'plugins' });
    pluginRuntime = new PluginRuntime({ workers: config.pluginWorkers, nice: config.pluginNice, metrics: app.metrics, log, onDisabled: (e) => pluginHost?.onDisabled(e) });
    pluginHost = new PluginHost({ runtime: pluginRuntime, store: infra.store, log, cacheMs: config.pluginCacheMs, onCpu: (tenant, ms) => meter.record(tenant, undefined, 'plugin_cpu_ms', ms) });
  }

  let dispatcher: Dispatcher | undefined;
  let webhookRouter: Router | undefined;
  if (config.roles.includes('api')) {
    await app.register(home);
    await app.register(httpCache);
    const reads = microCached(infra.cache, config.apiMicroCacheMs);
    await app.register(matches, { store: infra.store, cache: reads, tenant: tenantOf });
    await app.register(catalog, { store: infra.store, tenant: tenantOf });
    await app.register(stats, { store: infra.store, cache: reads, tenant: tenantOf });
    await app.register(predictionsApi, { store: infra.store, tenant: tenantOf });
    const hub = new LiveHub({ cache: infra.cache, store: infra.store, log: logger.child({ 'log.logger': 'live' }), onSent: (tenant) => meter.record(tenant, undefined, 'live_message'), onMinute: (tenant) => meter.record(tenant, undefined, 'live_minute') });
    await app.register(live, { hub, tenant: tenantOf });
    const h2c = config.grpcH2cPort === undefined ? {} : { h2c: { host: config.host, port: config.grpcH2cPort } };
    await app.register(grpc, { hub, store: infra.store, cache: infra.cache, tenant: grpcTenant, auth: authOptions, log: logger.child({ 'log.logger': 'grpc' }), ...h2c });
    // Test runs count no strikes: a version is never disabled by them (their errors are in the answer).
    testRuntime = new PluginRuntime({ workers: 1, nice: config.pluginNice, log: logger.child({ 'log.logger': 'plugin-tests' }), strikes: { max: Number.MAX_SAFE_INTEGER, windowMs: 1 } });
    await app.register(pluginsApi, { store: infra.store, tenant: tenantOf, testRuntime, host: pluginHost, planLimits: config.limits.enabled, metrics: app.metrics });
    await app.register(oauth, { db: infra.store.db, keys, tokens: tokenSettings });
    await app.register(apps, { db: infra.store.db });
    await app.register(signin, { db: infra.store.db, providers: new SignInProviders(config.signIn.providers), cookies: sessionCookies, publicUrl: config.auth.issuer });
    await app.register(orgs, { db: infra.store.db, cookies: sessionCookies });
    await app.register(usageApi, { limiter: infra.cache.rateLimiter, leases: infra.cache.leases, quotas, db: infra.store.db, enforced: config.limits.enabled });
    await app.register(ledgerApi, { db: infra.store.db });
    await app.register(billingApi, { db: infra.store.db, settings: billingSettings(config.stripe) });
    await app.register(webhooks, { store: infra.store, tenant: tenantOf, settings: { ...config.webhooks, secretsKek: config.auth.signingKek }, metrics: app.metrics, wake: () => dispatcher?.wake() });
  }

  let processor: Processor | undefined;
  let archiver: Archiver | undefined;
  let meterReporter: MeterReporter | undefined;
  let simulator: Simulator | undefined;
  let pollers: Pollers | undefined;
  const stages: Stage[] = [];
  app.addHook('onReady', async () => {
    // Usage to Stripe Billing Meters, where usage is flushed to the ledger (docs/billing.md).
    const billing = billingSettings(config.stripe);
    if (billing && config.usageFlushMs > 0 && config.meterReports.intervalMs > 0 && Object.keys(config.meterReports.events).length) {
      const timeoutMs = 10_000;
      meterReporter = new MeterReporter({ db: infra.store.db, stripe: stripeClient(billing, { maxNetworkRetries: 0, timeoutMs }), log: logger.child({ 'log.logger': 'meter-report' }), events: config.meterReports.events, intervalMs: config.meterReports.intervalMs, timeoutMs, metrics: app.metrics }).start();
    }
    if (config.roles.includes('ingest')) {
      const common = { eventLog: infra.eventLog, topics, metrics: app.metrics };
      stages.push(await startParserStage({ ...common, groupId: groupName(config.kafkaTopicPrefix, 'parser'), log: logger.child({ 'log.logger': 'parser' }) }));
      stages.push(await startSequencerStage({ ...common, groupId: groupName(config.kafkaTopicPrefix, 'sequencer'), log: logger.child({ 'log.logger': 'sequencer' }) }));
      pollers = startPollers({ config: config.pollers, eventLog: infra.eventLog, topics, cache: infra.cache.cache, appendTimeoutMs: config.ingestAppendTimeoutMs, metrics: app.metrics, log: logger.child({ 'log.logger': 'pollers' }) });
    }
    if (config.roles.includes('process')) {
      processor = await startProcessor({
        eventLog: infra.eventLog,
        store: infra.store,
        cache: infra.cache,
        topic: topics.events,
        statsTopic: topics.stats,
        groupId: groupName(config.kafkaTopicPrefix, 'processor'),
        log: logger.child({ 'log.logger': 'processor' }),
        metrics: app.metrics,
        workers: config.processorWorkers,
        concurrency: config.processorConcurrency,
        historyLength: config.liveHistoryLength,
        predictions: config.predictions,
        ...(pluginHost ? { plugins: pluginHost } : {}),
      });
      archiver = await startArchiver({
        eventLog: infra.eventLog,
        store: infra.store,
        topic: topics.events,
        groupId: groupName(config.kafkaTopicPrefix, 'archiver'),
        log: logger.child({ 'log.logger': 'archiver' }),
        metrics: app.metrics,
      });
      const w = config.webhooks;
      dispatcher = startDispatcher({ ...w, secretsKek: config.auth.signingKek, store: infra.store, log: logger.child({ 'log.logger': 'webhooks' }), metrics: app.metrics });
      webhookRouter = await startRouter({
        eventLog: infra.eventLog,
        store: infra.store,
        eventsTopic: topics.events,
        statsTopic: topics.stats,
        groupId: groupName(config.kafkaTopicPrefix, 'webhooks'),
        log: logger.child({ 'log.logger': 'webhooks' }),
        metrics: app.metrics,
        maxAttempts: w.maxAttempts,
        maxPending: w.maxPending,
        onDeliveries: () => dispatcher?.wake(),
      });
    }
    if (config.roles.includes('ingest') && config.simulatorMatches > 0) {
      simulator = startSimulator({
        eventLog: infra.eventLog,
        topic: topics.events,
        tenant: config.defaultTenant,
        matches: config.simulatorMatches,
        speed: config.simulatorSpeed,
        log: logger.child({ 'log.logger': 'simulator' }),
      });
    }
  });

  // In-flight HTTP requests have finished when onClose runs. Producers stop first, then consumers
  // finish their batch and commit, then clients close.
  app.addHook('onClose', async () => {
    await simulator?.stop();
    await pollers?.stop();
    for (const stage of stages) await stage.stop();
    await processor?.stop();
    // After the processor: no call is in hand any more.
    await pluginRuntime?.close();
    await testRuntime?.close();
    await archiver?.stop();
    await webhookRouter?.stop();
    await dispatcher?.stop();
    await meterReporter?.close();
    await meter.close();
    await infra.close();
  });

  return app;
}

/** Demo only: one well-known token per source (`demo-<source>`), so the demo accepts data at once. */
async function ensureDemoTokens(infra: Infra, tenant: string): Promise<void> {
  for (const source of availableSources()) {
    const token = `demo-${source}`;
    if (!(await findIngestToken(infra.store.db, token))) await createIngestToken(infra.store.db, { tenant, source, streamId: `demo-${source}`, name: 'demo', token });
  }
}
