// Configuration, validated once at boot from the environment. One table below is the single source
// for parsing, validation, `.env.example` and the README's configuration section (npm run gen).
// A missing or malformed value stops start-up with a message naming the variable.
import { createError } from './errors.ts';
import { UNITS } from './platform/units.ts';
import { providersFromEnv, type ProviderConfig } from './auth/providers.ts';

export const ConfigInvalid = createError('CLUTCH_CONFIG_INVALID', 'invalid configuration:\n%s', 500);

type Kind = 'string' | 'int' | 'url' | 'brokers' | 'enum' | 'list' | 'ids' | 'rates';

interface Var {
  kind: Kind;
  doc: string;
  default?: string;
  values?: readonly string[];
  /** Required only when this returns true for the raw env (e.g. DATABASE_URL when the store is postgres). */
  requiredWhen?: (env: NodeJS.ProcessEnv, resolved: (name: string) => string | undefined) => boolean;
  secret?: boolean;
  min?: number;
  max?: number;
  /** kind 'ids': every entry must be digits. */
  numeric?: boolean;
  /** kind 'url': the example shown when the value is not a URL. */
  example?: string;
}

export const ROLES = ['ingest', 'process', 'api'] as const;
export type Role = (typeof ROLES)[number];

export const VARS = {
  HOST: { kind: 'string', doc: 'Interface the HTTP server binds to.', default: '127.0.0.1' },
  PORT: { kind: 'int', doc: 'HTTP port.', default: '8080', min: 0, max: 65535 },
  LOG_LEVEL: { kind: 'enum', doc: 'pino log level.', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
  CLUTCH_ROLES: { kind: 'list', doc: 'Roles this process runs: any of ingest, process, api.', default: 'ingest,process,api', values: ROLES },
  CLUTCH_EVENT_LOG: { kind: 'enum', doc: 'EventLog adapter: kafka (production) or memory (demo, tests).', default: 'kafka', values: ['kafka', 'memory'] },
  CLUTCH_STORE: { kind: 'enum', doc: 'Store adapter: postgres (production) or pglite (demo, tests).', default: 'postgres', values: ['postgres', 'pglite'] },
  CLUTCH_CACHE: { kind: 'enum', doc: 'Cache/PubSub/RateLimiter adapter: redis (production) or memory (demo, tests).', default: 'redis', values: ['redis', 'memory'] },
  DATABASE_URL: {
    kind: 'url',
    doc: 'PostgreSQL 15+ URL (TimescaleDB is used when the extension is installed). Required when CLUTCH_STORE=postgres.',
    requiredWhen: (_e, r) => r('CLUTCH_STORE') === 'postgres',
    secret: true,
  },
  DATABASE_POOL_MAX: { kind: 'int', doc: 'Maximum PostgreSQL connections of this process.', default: '10', min: 1, max: 500 },
  CLUTCH_PGLITE_DIR: { kind: 'string', doc: 'Folder where the PGlite store persists; empty = in memory.', default: '' },
  REDIS_URL: { kind: 'url', doc: 'Redis 7 URL. Required when CLUTCH_CACHE=redis.', requiredWhen: (_e, r) => r('CLUTCH_CACHE') === 'redis', secret: true },
  REDIS_KEY_PREFIX: { kind: 'string', doc: 'Prefix of every Redis key and channel of this deployment.', default: 'clutch:' },
  KAFKA_BROKERS: { kind: 'brokers', doc: 'Kafka bootstrap brokers, host:port[,host:port…]. Required when CLUTCH_EVENT_LOG=kafka.', requiredWhen: (_e, r) => r('CLUTCH_EVENT_LOG') === 'kafka' },
  KAFKA_CLIENT_ID: { kind: 'string', doc: 'Kafka client id (appears in broker logs and quotas).', default: 'clutch' },
  KAFKA_TOPIC_PREFIX: { kind: 'string', doc: 'Prefix of every Kafka topic and consumer group of this deployment.', default: '' },
  CLUTCH_DEFAULT_TENANT: { kind: 'string', doc: 'Tenant of the built-in data: the simulator, the demo ingest tokens and the pollers (POLL_TENANT).', default: 'demo' },
  // API authentication (docs/auth.md).
  CLUTCH_AUTH_ANONYMOUS_TENANT: { kind: 'string', doc: 'Development and the demo only: requests without credentials act as this tenant with every scope. Empty (production) = every /v1 route needs an access token or an API key. Presented credentials are always checked.', default: '' },
  CLUTCH_ISSUER: { kind: 'url', doc: 'Issuer (iss) of access tokens and the base of the OAuth2 metadata URLs: the public URL of the API.', default: 'http://localhost:8080' },
  CLUTCH_TOKEN_AUDIENCE: { kind: 'string', doc: 'Audience (aud) of access tokens; tokens for another audience are refused.', default: 'clutch-api' },
  CLUTCH_TOKEN_TTL_SECONDS: { kind: 'int', doc: 'Lifetime of an access token.', default: '900', min: 60, max: 86_400 },
  CLUTCH_AUTH_CACHE_MS: { kind: 'int', doc: 'How long (ms) a credential looked up for a request is trusted: a revoked API key or client stops working within it.', default: '30000', min: 0, max: 600_000 },
  // Limits (docs/limits.md).
  CLUTCH_RATE_LIMITS: { kind: 'enum', doc: 'Enforce the plans\' rate limits per app and the per-IP guard (shared across instances through the cache: Redis). The demo turns them off.', default: 'on', values: ['on', 'off'] },
  CLUTCH_IP_REQUESTS_PER_MINUTE: { kind: 'int', doc: 'Requests without credentials (and to public routes) per client IP and minute, also the burst.', default: '300', min: 1, max: 1_000_000 },
  CLUTCH_IP_AUTH_FAILURES_PER_MINUTE: { kind: 'int', doc: 'Refused credentials (401) per client IP and minute before its requests are refused (429) without being checked.', default: '30', min: 1, max: 100_000 },
  CLUTCH_SHED_EVENT_LOOP_DELAY_MS: { kind: 'int', doc: 'Load shedding: answer 503 CLUTCH_OVERLOADED (Retry-After) while the event loop lags more than this (0 = off).', default: '2000', min: 0, max: 60_000 },
  CLUTCH_USAGE_FLUSH_MS: { kind: 'int', doc: 'How often (ms) this process writes the shared usage counters to the usage ledger (docs/usage.md); 0 = never (another instance does).', default: '10000', min: 0, max: 3_600_000 },
  // Stripe billing (docs/billing.md): off while STRIPE_SECRET_KEY is empty.
  STRIPE_SECRET_KEY: { kind: 'string', doc: 'Stripe secret key (sk_live_… / sk_test_…); empty = billing off.', default: '', secret: true },
  STRIPE_WEBHOOK_SECRET: { kind: 'string', doc: 'Signing secret of the Stripe webhook endpoint POST /stripe/webhook (whsec_…).', default: '', secret: true },
  STRIPE_API_BASE: { kind: 'string', doc: 'Stripe API base URL; empty = Stripe itself (tests point it at stripe-mock).', default: '' },
  STRIPE_PRICE_PRO: { kind: 'string', doc: 'Stripe price id of the pro plan.', default: '' },
  STRIPE_PRICE_ENTERPRISE: { kind: 'string', doc: 'Stripe price id of the enterprise plan.', default: '' },
  CLUTCH_BILLING_GRACE_DAYS: { kind: 'int', doc: 'Days a past-due organisation keeps its paid plan before it is served as free.', default: '7', min: 0, max: 90 },
  CLUTCH_METER_EVENTS: { kind: 'string', doc: `Stripe Billing Meter event name of each usage unit reported to Stripe (unit=event_name,…; units: ${UNITS.join(', ')}); a unit left out is not reported (CLUTCH_METER_REPORT_MS=0 reports none).`, default: 'api_call=clutch_api_calls,live_message=clutch_live_messages,live_minute=clutch_live_minutes,plugin_cpu_ms=clutch_plugin_cpu_ms,ingest_payload=clutch_ingest_payloads' },
  CLUTCH_METER_REPORT_MS: { kind: 'int', doc: 'How often (ms) this process reports the usage ledger to Stripe Billing Meters (docs/billing.md), when billing is on and it flushes usage (CLUTCH_USAGE_FLUSH_MS > 0); 0 = never.', default: '60000', min: 0, max: 86_400_000 },
  CLUTCH_SIGNING_KEK: { kind: 'string', doc: 'Key-encryption key of the secrets the server stores and reads back (token signing keys, webhook signing secrets): 32 bytes, base64. Empty = stored unencrypted (a warning at start).', default: '', secret: true },
  // Dashboard sign-in (docs/auth.md): users sign in through these providers into a session cookie.
  CLUTCH_OIDC_PROVIDERS: {
    kind: 'string',
    doc: 'Sign-in providers of the dashboard, comma-separated: the presets github, discord, twitch, or any name for an OpenID Connect issuer. Each reads CLUTCH_OIDC_<NAME>_CLIENT_ID and CLUTCH_OIDC_<NAME>_CLIENT_SECRET (secret), a non-preset also CLUTCH_OIDC_<NAME>_ISSUER (https; http only on loopback), optionally _SCOPES and _LABEL. Register <CLUTCH_ISSUER>/auth/callback/<name> as the redirect URI. Empty = no sign-in (API credentials only).',
    default: '',
  },
  CLUTCH_SESSION_SECRET: { kind: 'string', doc: 'Signs the session cookies and derives their CSRF and sign-in keys: at least 32 characters, the same on every instance (e.g. openssl rand -base64 32). Required when CLUTCH_OIDC_PROVIDERS is set.', requiredWhen: (_e, r) => Boolean(r('CLUTCH_OIDC_PROVIDERS')), secret: true },
  CLUTCH_SESSION_TTL_SECONDS: { kind: 'int', doc: 'Lifetime of a dashboard session from sign-in (absolute; signing out ends it sooner).', default: '604800', min: 300, max: 7_776_000 },
  CLUTCH_SESSION_COOKIE_SECURE: { kind: 'enum', doc: 'Session cookies are Secure (sent over HTTPS only) and __Host- prefixed. off only for a plain-http demo on localhost.', default: 'on', values: ['on', 'off'] },
  STARTUP_TIMEOUT_MS: { kind: 'int', doc: 'How long start-up waits for PostgreSQL, Redis and Kafka before giving up.', default: '30000', min: 0, max: 600_000 },
  SHUTDOWN_TIMEOUT_MS: { kind: 'int', doc: 'Grace period for in-flight requests and consumer commits on SIGTERM.', default: '10000', min: 100, max: 600_000 },
  INGEST_APPEND_TIMEOUT_MS: { kind: 'int', doc: 'How long ingest waits for the event log to take a payload before answering 503 with Retry-After.', default: '10000', min: 100, max: 120_000 },
  TLS_CERT_FILE: { kind: 'string', doc: 'PEM certificate (chain) file: with TLS_KEY_FILE, serve HTTPS with HTTP/2 and HTTP/1.1 on the same port (ALPN).', default: '' },
  TLS_KEY_FILE: { kind: 'string', doc: 'PEM private key file for TLS_CERT_FILE.', default: '', secret: true },
  BODY_LIMIT_BYTES: { kind: 'int', doc: 'Largest accepted HTTP request body.', default: '1048576', min: 1024, max: 104_857_600 },
  CLUTCH_SIMULATOR_MATCHES: { kind: 'int', doc: 'Live matches the built-in simulator keeps running (0 = off). The demo sets 4.', default: '0', min: 0, max: 100 },
  CLUTCH_DEMO_INGEST_TOKENS: { kind: 'enum', doc: 'Create the well-known ingest tokens demo-<source> for the default tenant (demo only: anyone who knows them can post).', default: 'off', values: ['on', 'off'] },
  CLUTCH_PROCESSOR_WORKERS: { kind: 'int', doc: 'Worker threads of the processor role for decoding, stats, windows and snapshots (0: on the main thread).', default: '1', min: 0, max: 64 },
  CLUTCH_METRICS_TOKEN: { kind: 'string', doc: 'Bearer token to read GET /metrics (Prometheus: authorization credentials). Empty = only clients on this host (loopback) may read it; either way no tenant credential opens it (the series name every tenant\'s plugins).', default: '', secret: true },
  CLUTCH_PREDICTIONS: { kind: 'enum', doc: 'Live win-probability predictions in the processor (docs/predictions.md): in the live stream, stored per match, served by GET /v1/matches/{id}/predictions.', default: 'on', values: ['on', 'off'] },
  CLUTCH_PROCESSOR_CONCURRENCY: { kind: 'int', doc: 'Batches the processor applies and writes at once (different partitions).', default: '4', min: 1, max: 64 },
  CLUTCH_API_MICROCACHE_MS: { kind: 'int', doc: 'How long (ms) the API keeps a leaderboard read in process memory before asking Redis again; 0 = always ask. Per-match reads are never kept.', default: '500', min: 0, max: 60_000 },
  CLUTCH_LIVE_HISTORY_LENGTH: { kind: 'int', doc: 'Stat deltas kept per match in Redis for live clients that resume (older gaps get a fresh snapshot).', default: '1000', min: 1, max: 100_000 },
  CLUTCH_GRPC_H2C_PORT: { kind: 'int', doc: 'Also serve the gRPC/Connect API over HTTP/2 cleartext (h2c) on this port of HOST, for gRPC clients inside a cluster (api role; 0 = any free port; empty = no h2c listener). Over TLS, gRPC also works on PORT.', min: 0, max: 65535 },
  CLUTCH_SIMULATOR_SPEED: { kind: 'int', doc: 'Simulator speed-up over real time.', default: '20', min: 1, max: 1000 },
  CLUTCH_PLUGIN_WORKERS: { kind: 'int', doc: 'Worker threads running tenant stat plugins in isolated-vm isolates (docs/plugins.md), per process with the process role; the api role has one more for test runs.', default: '1', min: 1, max: 32 },
  CLUTCH_PLUGIN_NICE: { kind: 'int', doc: 'Nice value (Linux, per thread) of the plugin worker threads: tenant code gets the CPU the API and the pipeline leave. Plugins are charged CPU time, not wall time, so a low priority costs them latency, never strikes (docs/plugins.md).', default: '19', min: 0, max: 19 },
  CLUTCH_PLUGIN_CACHE_MS: { kind: 'int', doc: 'How long (ms) the processor keeps a tenant\'s list of active plugin versions before reading it again (activations in the same process apply at once).', default: '2000', min: 0, max: 600_000 },
  // Webhooks (docs/webhooks.md): the router and the dispatcher run in the process role.
  CLUTCH_WEBHOOK_TIMEOUT_MS: { kind: 'int', doc: 'How long one webhook attempt may take (connect to the end of the answer) before it counts as failed.', default: '10000', min: 100, max: 60_000 },
  CLUTCH_WEBHOOK_RETRY_BASE_MS: { kind: 'int', doc: 'Delay before the first webhook retry; doubled at each attempt (±20 % jitter), at most 6 h apart.', default: '30000', min: 10, max: 3_600_000 },
  CLUTCH_WEBHOOK_MAX_ATTEMPTS: { kind: 'int', doc: 'Automatic attempts per webhook delivery before it is marked failed (13: about 20 h of retries with the default base).', default: '13', min: 1, max: 30 },
  CLUTCH_WEBHOOK_CONCURRENCY: { kind: 'int', doc: 'Webhook attempts in flight at once per process.', default: '32', min: 1, max: 1000 },
  CLUTCH_WEBHOOK_ENDPOINT_CONCURRENCY: { kind: 'int', doc: 'Webhook attempts in flight at once per subscription per process.', default: '4', min: 1, max: 100 },
  CLUTCH_WEBHOOK_MAX_PENDING: { kind: 'int', doc: 'Pending deliveries one webhook may have; beyond, new ones are logged as failed (to redeliver later).', default: '10000', min: 10, max: 1_000_000 },
  CLUTCH_WEBHOOK_POLL_MS: { kind: 'int', doc: 'How often the webhook dispatcher looks for due deliveries (new ones written in the same process wake it at once).', default: '1000', min: 10, max: 60_000 },
  CLUTCH_WEBHOOK_RETENTION_DAYS: { kind: 'int', doc: 'Finished webhook deliveries (and their attempt logs) are deleted after this many days (0: kept).', default: '30', min: 0, max: 3650 },
  CLUTCH_WEBHOOK_ALLOW_PRIVATE_URLS: { kind: 'enum', doc: 'Let webhooks go to loopback and private addresses (demo, tests, private networks); off refuses them at subscription and at each connection.', default: 'off', values: ['on', 'off'] },
  // Pollers (role ingest, docs/sources/pollers.md): each runs only when its key and targets are set.
  POLL_TENANT: { kind: 'string', doc: 'Tenant the pollers submit to; empty = CLUTCH_DEFAULT_TENANT.', default: '' },
  POLL_INTERVAL_MS: { kind: 'int', doc: 'How often the Riot Match-V5, OpenDota, Steam and Faceit pollers look for new matches (the esports livestats poller runs every 10 s).', default: '60000', min: 1000, max: 86_400_000 },
  RIOT_API_KEY: { kind: 'string', doc: 'Riot API key (X-Riot-Token) of the Match-V5 poller; it runs when this and RIOT_PUUIDS are set.', secret: true },
  RIOT_REGION: { kind: 'enum', doc: 'Riot routing value of Match-V5 (americas, europe, asia, sea).', default: 'europe', values: ['americas', 'europe', 'asia', 'sea'] },
  RIOT_PUUIDS: { kind: 'ids', doc: 'Comma-separated PUUIDs whose recent matches the Riot poller submits.' },
  RIOT_API_URL: { kind: 'url', doc: 'Riot API base URL; empty = https://<RIOT_REGION>.api.riotgames.com.', example: 'https://europe.api.riotgames.com' },
  RIOT_APP_RATE_LIMIT: { kind: 'rates', doc: "Riot application rate limits (requests:seconds,…) until Riot's X-App-Rate-Limit header says otherwise; the default is a development key's.", default: '20:1,100:120' },
  LOLESPORTS_FEED_URL: { kind: 'url', doc: 'LoL esports livestats feed base URL.', default: 'https://feed.lolesports.com', example: 'https://feed.lolesports.com' },
  LOLESPORTS_GAME_IDS: { kind: 'ids', doc: 'Comma-separated esports game ids the livestats poller follows (every 10 s) until they finish.', numeric: true },
  OPENDOTA_URL: { kind: 'url', doc: 'OpenDota API base URL.', default: 'https://api.opendota.com', example: 'https://api.opendota.com' },
  OPENDOTA_API_KEY: { kind: 'string', doc: 'OpenDota API key (optional: raises the limits; set OPENDOTA_RATE_LIMIT to match).', secret: true },
  OPENDOTA_MATCH_IDS: { kind: 'ids', doc: 'Comma-separated Dota 2 match ids the OpenDota poller submits.', numeric: true },
  OPENDOTA_LEAGUE_IDS: { kind: 'ids', doc: "Comma-separated league ids: the OpenDota poller submits these leagues' matches among the latest pro matches.", numeric: true },
  OPENDOTA_TEAM_IDS: { kind: 'ids', doc: "Comma-separated team ids: the OpenDota poller submits these teams' matches among the latest pro matches.", numeric: true },
  OPENDOTA_RATE_LIMIT: { kind: 'rates', doc: 'OpenDota limits (requests:seconds,…); the default is the free tier (60 a minute, 2000 a day).', default: '60:60,2000:86400' },
  STEAM_API_KEY: { kind: 'string', doc: 'Steam Web API key of the GetMatchDetails poller; it runs when this and STEAM_MATCH_IDS are set.', secret: true },
  STEAM_API_URL: { kind: 'url', doc: 'Steam Web API base URL.', default: 'https://api.steampowered.com', example: 'https://api.steampowered.com' },
  STEAM_MATCH_IDS: { kind: 'ids', doc: 'Comma-separated Dota 2 match ids the Steam poller submits.', numeric: true },
  STEAM_RATE_LIMIT: { kind: 'rates', doc: 'Steam Web API limits (requests:seconds,…): one call a second and 100,000 a day by default.', default: '1:1,100000:86400' },
  FACEIT_API_KEY: { kind: 'string', doc: 'Faceit Data API key (Bearer) of the Faceit poller; it runs when this and match, championship or hub ids are set.', secret: true },
  FACEIT_API_URL: { kind: 'url', doc: 'Faceit Data API base URL.', default: 'https://open.faceit.com', example: 'https://open.faceit.com' },
  FACEIT_MATCH_IDS: { kind: 'ids', doc: 'Comma-separated Faceit match ids the Faceit poller follows until they end.' },
  FACEIT_CHAMPIONSHIP_IDS: { kind: 'ids', doc: 'Comma-separated Faceit championship ids whose ongoing and latest matches the Faceit poller follows.' },
  FACEIT_HUB_IDS: { kind: 'ids', doc: 'Comma-separated Faceit hub ids whose ongoing and latest matches the Faceit poller follows.' },
  FACEIT_RATE_LIMIT: { kind: 'rates', doc: 'Faceit Data API limits (requests:seconds,…).', default: '10:1' },
} as const satisfies Record<string, Var>;

export type VarName = keyof typeof VARS;

export interface Config {
  /** Bearer token of GET /metrics; undefined = loopback clients only. */
  metricsToken: string | undefined;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  roles: Role[];
  /** In-process lifetime of hot API reads (api/micro-cache.ts). */
  apiMicroCacheMs: number;
  eventLog: 'kafka' | 'memory';
  store: 'postgres' | 'pglite';
  cache: 'redis' | 'memory';
  databaseUrl: string | undefined;
  databasePoolMax: number;
  pgliteDir: string | undefined;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  kafkaBrokers: string[] | undefined;
  kafkaClientId: string;
  kafkaTopicPrefix: string;
  defaultTenant: string;
  usageFlushMs: number;
  stripe: { secretKey: string | undefined; webhookSecret: string | undefined; apiBase: string | undefined; pricePro: string | undefined; priceEnterprise: string | undefined; graceDays: number };
  /** Usage reported to Stripe Billing Meters: unit → meter event name, and how often (0 = never). */
  meterReports: { events: Record<string, string>; intervalMs: number };
  limits: { enabled: boolean; ipPerMinute: number; authFailuresPerMinute: number; shedEventLoopDelayMs: number };
  auth: { anonymousTenant: string | undefined; cacheMs: number; issuer: string; audience: string; tokenTtlSeconds: number; signingKek: Buffer | undefined };
  /** Dashboard sign-in: providers and sessions (no secret: no provider, sessions signed by a per-process key). */
  signIn: { providers: ProviderConfig[]; sessionSecret: string | undefined; sessionTtlSeconds: number; secureCookies: boolean };
  startupTimeoutMs: number;
  shutdownTimeoutMs: number;
  bodyLimitBytes: number;
  tls: { certFile: string; keyFile: string } | undefined;
  ingestAppendTimeoutMs: number;
  simulatorMatches: number;
  simulatorSpeed: number;
  processorWorkers: number;
  liveHistoryLength: number;
  /** HTTP/2 cleartext port of the gRPC API; undefined = none. */
  grpcH2cPort: number | undefined;
  processorConcurrency: number;
  /** CLUTCH_PREDICTIONS */
  predictions: boolean;
  pluginWorkers: number;
  pluginCacheMs: number;
  pluginNice: number;
  demoIngestTokens: boolean;
  webhooks: WebhooksConfig;
  pollers: PollersConfig;
}

export interface WebhooksConfig {
  timeoutMs: number;
  retryBaseMs: number;
  maxAttempts: number;
  concurrency: number;
  perEndpoint: number;
  maxPending: number;
  pollMs: number;
  retentionDays: number;
  allowPrivate: boolean;
}

/** A rate limit: `limit` requests per `windowMs`. */
export interface RateLimitSpec {
  limit: number;
  windowMs: number;
}

export interface PollersConfig {
  tenant: string;
  intervalMs: number;
  riot: { apiKey: string | undefined; region: string; baseUrl: string; puuids: string[]; appRateLimit: RateLimitSpec[] };
  lolesports: { feedUrl: string; gameIds: string[] };
  opendota: { baseUrl: string; apiKey: string | undefined; matchIds: string[]; leagueIds: string[]; teamIds: string[]; rateLimit: RateLimitSpec[] };
  steam: { baseUrl: string; apiKey: string | undefined; matchIds: string[]; rateLimit: RateLimitSpec[] };
  faceit: { baseUrl: string; apiKey: string | undefined; matchIds: string[]; championshipIds: string[]; hubIds: string[]; rateLimit: RateLimitSpec[] };
}

/** `requests:seconds[,requests:seconds…]` → limits (validated by loadConfig before). */
function rates(spec: string): RateLimitSpec[] {
  return spec.split(',').map((p) => {
    const [limit, seconds] = p.trim().split(':').map(Number);
    return { limit: limit!, windowMs: seconds! * 1000 };
  });
}

function check(name: string, v: Var, raw: string): string | undefined {
  switch (v.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw)) return `${name}=${JSON.stringify(raw)} must be an integer`;
      const n = Number(raw);
      if (v.min !== undefined && n < v.min) return `${name}=${raw} must be >= ${v.min}`;
      if (v.max !== undefined && n > v.max) return `${name}=${raw} must be <= ${v.max}`;
      return undefined;
    }
    case 'url':
      try {
        new URL(raw);
        return undefined;
      } catch {
        return `${name} must be a URL (e.g. ${v.example ?? (name === 'REDIS_URL' ? 'redis://127.0.0.1:6379' : 'postgres://user:password@127.0.0.1:5432/clutch')})`;
      }
    case 'brokers':
      return raw.split(',').every((b) => /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(b.trim())) ? undefined : `${name}=${JSON.stringify(raw)} must be host:port[,host:port…]`;
    case 'enum':
      return v.values!.includes(raw) ? undefined : `${name}=${JSON.stringify(raw)} must be one of ${v.values!.join(', ')}`;
    case 'list': {
      const bad = raw.split(',').map((s) => s.trim()).filter((s) => !v.values!.includes(s));
      return bad.length ? `${name} has unknown entries ${bad.join(', ')}; allowed: ${v.values!.join(', ')}` : undefined;
    }
    case 'ids': {
      const ids = raw.split(',').map((s) => s.trim());
      const bad = ids.filter((s) => !(v.numeric ? /^\d{1,20}$/ : /^[A-Za-z0-9_.:-]{1,128}$/).test(s));
      return bad.length ? `${name} has malformed entries ${bad.map((b) => JSON.stringify(b)).join(', ')}; expected comma-separated ${v.numeric ? 'numeric ids' : 'ids'}` : undefined;
    }
    case 'rates':
      return raw.split(',').every((p) => /^\s*[1-9]\d*:[1-9]\d*\s*$/.test(p)) ? undefined : `${name}=${JSON.stringify(raw)} must be requests:seconds[,requests:seconds…] (e.g. 20:1,100:120)`;
    default:
      return undefined;
  }
}

/** CLUTCH_METER_EVENTS: `unit=event_name,…`, each unit a billable one and each event name on one unit only. */
function meterEvents(raw: string): { events: Record<string, string>; problem?: string } {
  const events: Record<string, string> = {};
  const bad: string[] = [];
  for (const pair of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [unit, name, ...rest] = pair.split('=').map((x) => x.trim());
    if (rest.length || !unit || !name || !(UNITS as readonly string[]).includes(unit) || !/^[A-Za-z0-9_.:-]{1,100}$/.test(name) || unit in events || Object.values(events).includes(name)) bad.push(JSON.stringify(pair));
    else events[unit] = name;
  }
  return bad.length ? { events, problem: `CLUTCH_METER_EVENTS has malformed or repeated entries ${bad.join(', ')}; expected unit=event_name,… with units among ${UNITS.join(', ')}, each unit and event name once` } : { events };
}

/** Parses and validates the environment. Throws CLUTCH_CONFIG_INVALID listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const vars = VARS as Record<string, Var>;
  const resolved = (name: string): string | undefined => {
    const raw = env[name];
    if (raw !== undefined && raw !== '') return raw;
    return vars[name]?.default;
  };
  const problems: string[] = [];
  for (const [name, v] of Object.entries(vars)) {
    const raw = resolved(name);
    if (raw === undefined || raw === '') {
      if (v.requiredWhen?.(env, resolved)) problems.push(`${name} is required: ${v.doc}`);
      continue;
    }
    const p = check(name, v, raw);
    if (p) problems.push(p);
  }
  if (Boolean(resolved('TLS_CERT_FILE')) !== Boolean(resolved('TLS_KEY_FILE'))) problems.push('TLS_CERT_FILE and TLS_KEY_FILE go together: set both, or neither');
  const kek = resolved('CLUTCH_SIGNING_KEK');
  if (kek && Buffer.from(kek, 'base64').length !== 32) problems.push('CLUTCH_SIGNING_KEK must be 32 bytes in base64 (e.g. openssl rand -base64 32)');
  const signIn = providersFromEnv(env);
  problems.push(...signIn.problems);
  const sessionSecret = resolved('CLUTCH_SESSION_SECRET');
  if (sessionSecret && sessionSecret.length < 32) problems.push('CLUTCH_SESSION_SECRET must be at least 32 characters (e.g. openssl rand -base64 32)');
  const meters = meterEvents(resolved('CLUTCH_METER_EVENTS') ?? '');
  if (meters.problem) problems.push(meters.problem);
  if (problems.length) throw new ConfigInvalid(problems.map((p) => `  - ${p}`).join('\n'));
  const str = (n: VarName) => resolved(n) ?? '';
  const opt = (n: VarName) => resolved(n) || undefined;
  const int = (n: VarName) => Number(resolved(n));
  const ids = (n: VarName) => [...new Set((resolved(n) ?? '').split(',').map((x) => x.trim()).filter(Boolean))];
  return {
    metricsToken: opt('CLUTCH_METRICS_TOKEN'),
    host: str('HOST'),
    port: int('PORT'),
    logLevel: str('LOG_LEVEL') as Config['logLevel'],
    roles: [...new Set(str('CLUTCH_ROLES').split(',').map((s) => s.trim()))] as Role[],
    eventLog: str('CLUTCH_EVENT_LOG') as Config['eventLog'],
    store: str('CLUTCH_STORE') as Config['store'],
    cache: str('CLUTCH_CACHE') as Config['cache'],
    databaseUrl: opt('DATABASE_URL'),
    databasePoolMax: int('DATABASE_POOL_MAX'),
    pgliteDir: opt('CLUTCH_PGLITE_DIR'),
    redisUrl: opt('REDIS_URL'),
    redisKeyPrefix: str('REDIS_KEY_PREFIX'),
    kafkaBrokers: opt('KAFKA_BROKERS')?.split(',').map((b) => b.trim()),
    kafkaClientId: str('KAFKA_CLIENT_ID'),
    kafkaTopicPrefix: str('KAFKA_TOPIC_PREFIX'),
    defaultTenant: str('CLUTCH_DEFAULT_TENANT'),
    usageFlushMs: int('CLUTCH_USAGE_FLUSH_MS'),
    stripe: { secretKey: opt('STRIPE_SECRET_KEY'), webhookSecret: opt('STRIPE_WEBHOOK_SECRET'), apiBase: opt('STRIPE_API_BASE'), pricePro: opt('STRIPE_PRICE_PRO'), priceEnterprise: opt('STRIPE_PRICE_ENTERPRISE'), graceDays: int('CLUTCH_BILLING_GRACE_DAYS') },
    meterReports: { events: meters.events, intervalMs: int('CLUTCH_METER_REPORT_MS') },
    limits: { enabled: str('CLUTCH_RATE_LIMITS') === 'on', ipPerMinute: int('CLUTCH_IP_REQUESTS_PER_MINUTE'), authFailuresPerMinute: int('CLUTCH_IP_AUTH_FAILURES_PER_MINUTE'), shedEventLoopDelayMs: int('CLUTCH_SHED_EVENT_LOOP_DELAY_MS') },
    auth: { anonymousTenant: opt('CLUTCH_AUTH_ANONYMOUS_TENANT'), cacheMs: int('CLUTCH_AUTH_CACHE_MS'), issuer: str('CLUTCH_ISSUER'), audience: str('CLUTCH_TOKEN_AUDIENCE'), tokenTtlSeconds: int('CLUTCH_TOKEN_TTL_SECONDS'), signingKek: opt('CLUTCH_SIGNING_KEK') ? Buffer.from(str('CLUTCH_SIGNING_KEK'), 'base64') : undefined },
    signIn: { providers: signIn.providers, sessionSecret: opt('CLUTCH_SESSION_SECRET'), sessionTtlSeconds: int('CLUTCH_SESSION_TTL_SECONDS'), secureCookies: str('CLUTCH_SESSION_COOKIE_SECURE') === 'on' },
    startupTimeoutMs: int('STARTUP_TIMEOUT_MS'),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS'),
    bodyLimitBytes: int('BODY_LIMIT_BYTES'),
    tls: opt('TLS_CERT_FILE') && opt('TLS_KEY_FILE') ? { certFile: opt('TLS_CERT_FILE')!, keyFile: opt('TLS_KEY_FILE')! } : undefined,
    ingestAppendTimeoutMs: int('INGEST_APPEND_TIMEOUT_MS'),
    simulatorMatches: int('CLUTCH_SIMULATOR_MATCHES'),
    simulatorSpeed: int('CLUTCH_SIMULATOR_SPEED'),
    processorWorkers: int('CLUTCH_PROCESSOR_WORKERS'),
    liveHistoryLength: int('CLUTCH_LIVE_HISTORY_LENGTH'),
    grpcH2cPort: opt('CLUTCH_GRPC_H2C_PORT') === undefined ? undefined : int('CLUTCH_GRPC_H2C_PORT'),
    apiMicroCacheMs: int('CLUTCH_API_MICROCACHE_MS'),
    processorConcurrency: int('CLUTCH_PROCESSOR_CONCURRENCY'),
    predictions: str('CLUTCH_PREDICTIONS') === 'on',
    pluginWorkers: int('CLUTCH_PLUGIN_WORKERS'),
    pluginCacheMs: int('CLUTCH_PLUGIN_CACHE_MS'),
    pluginNice: int('CLUTCH_PLUGIN_NICE'),
    demoIngestTokens: str('CLUTCH_DEMO_INGEST_TOKENS') === 'on',
    webhooks: {
      timeoutMs: int('CLUTCH_WEBHOOK_TIMEOUT_MS'),
      retryBaseMs: int('CLUTCH_WEBHOOK_RETRY_BASE_MS'),
      maxAttempts: int('CLUTCH_WEBHOOK_MAX_ATTEMPTS'),
      concurrency: int('CLUTCH_WEBHOOK_CONCURRENCY'),
      perEndpoint: int('CLUTCH_WEBHOOK_ENDPOINT_CONCURRENCY'),
      maxPending: int('CLUTCH_WEBHOOK_MAX_PENDING'),
      pollMs: int('CLUTCH_WEBHOOK_POLL_MS'),
      retentionDays: int('CLUTCH_WEBHOOK_RETENTION_DAYS'),
      allowPrivate: str('CLUTCH_WEBHOOK_ALLOW_PRIVATE_URLS') === 'on',
    },
    pollers: {
      tenant: opt('POLL_TENANT') ?? str('CLUTCH_DEFAULT_TENANT'),
      intervalMs: int('POLL_INTERVAL_MS'),
      riot: { apiKey: opt('RIOT_API_KEY'), region: str('RIOT_REGION'), baseUrl: opt('RIOT_API_URL') ?? `https://${str('RIOT_REGION')}.api.riotgames.com`, puuids: ids('RIOT_PUUIDS'), appRateLimit: rates(str('RIOT_APP_RATE_LIMIT')) },
      lolesports: { feedUrl: str('LOLESPORTS_FEED_URL'), gameIds: ids('LOLESPORTS_GAME_IDS') },
      opendota: { baseUrl: str('OPENDOTA_URL'), apiKey: opt('OPENDOTA_API_KEY'), matchIds: ids('OPENDOTA_MATCH_IDS'), leagueIds: ids('OPENDOTA_LEAGUE_IDS'), teamIds: ids('OPENDOTA_TEAM_IDS'), rateLimit: rates(str('OPENDOTA_RATE_LIMIT')) },
      steam: { baseUrl: str('STEAM_API_URL'), apiKey: opt('STEAM_API_KEY'), matchIds: ids('STEAM_MATCH_IDS'), rateLimit: rates(str('STEAM_RATE_LIMIT')) },
      faceit: { baseUrl: str('FACEIT_API_URL'), apiKey: opt('FACEIT_API_KEY'), matchIds: ids('FACEIT_MATCH_IDS'), championshipIds: ids('FACEIT_CHAMPIONSHIP_IDS'), hubIds: ids('FACEIT_HUB_IDS'), rateLimit: rates(str('FACEIT_RATE_LIMIT')) },
    },
  };
}

/** The embedded defaults of `clutch demo`: no external service at all. Explicit env still wins. */
export const DEMO_ENV: Partial<Record<VarName, string>> = {
  CLUTCH_EVENT_LOG: 'memory',
  CLUTCH_STORE: 'pglite',
  CLUTCH_CACHE: 'memory',
  CLUTCH_SIMULATOR_MATCHES: '4',
  CLUTCH_DEMO_INGEST_TOKENS: 'on',
  // The demo's data belongs to the demo tenant, and the demo needs no sign-up to read it.
  CLUTCH_AUTH_ANONYMOUS_TENANT: 'demo',
  // One user on a laptop: no plan limits, no per-IP guard, no load shedding.
  CLUTCH_RATE_LIMITS: 'off',
  CLUTCH_SHED_EVENT_LOOP_DELAY_MS: '0',
  // The demo runs on a laptop: webhooks to a local receiver are what one tries first.
  CLUTCH_WEBHOOK_ALLOW_PRIVATE_URLS: 'on',
  // http://localhost: a Secure cookie would not come back (no sign-in provider is needed for the demo).
  CLUTCH_SESSION_COOKIE_SECURE: 'off',
  STARTUP_TIMEOUT_MS: '0',
  // The demo prints its URL; request logs would drown it. LOG_LEVEL=info shows them.
  LOG_LEVEL: 'warn',
};

/** Config safe to print: secrets reduced to their host. */
export function describeConfig(c: Config): Record<string, unknown> {
  const hostOf = (u: string | undefined) => {
    if (!u) return undefined;
    const url = new URL(u);
    return `${url.protocol}//${url.host}${url.pathname}`;
  };
  const key = (k: string | undefined) => (k ? '(set)' : undefined);
  const p = c.pollers;
  const pollers = {
    ...p,
    riot: { ...p.riot, apiKey: key(p.riot.apiKey) },
    opendota: { ...p.opendota, apiKey: key(p.opendota.apiKey) },
    steam: { ...p.steam, apiKey: key(p.steam.apiKey) },
    faceit: { ...p.faceit, apiKey: key(p.faceit.apiKey) },
  };
  const signIn = { ...c.signIn, sessionSecret: key(c.signIn.sessionSecret), providers: c.signIn.providers.map((p) => ({ ...p, clientSecret: key(p.clientSecret) })) };
  return { ...c, databaseUrl: hostOf(c.databaseUrl), redisUrl: hostOf(c.redisUrl), pollers, signIn, auth: { ...c.auth, signingKek: c.auth.signingKek ? '(set)' : undefined }, stripe: { ...c.stripe, secretKey: c.stripe.secretKey ? '(set)' : undefined, webhookSecret: c.stripe.webhookSecret ? '(set)' : undefined }, metricsToken: c.metricsToken ? '(set)' : undefined };
}
