// Contract between the services orchestrator (scripts/services/cli.ts, ensure.ts) and one module per
// local service (postgres.ts, redis.ts, kafka.ts, timescale.ts). A module installs what is missing,
// starts its service on loopback, waits for real readiness, and stops it. Everything it writes lives
// under ctx.dir (default <repo>/.services/<name>, override with CLUTCH_<NAME>_DIR).

export type ServiceName = 'postgres' | 'redis' | 'kafka' | 'timescale' | 'stripe-mock';

export interface ServiceContext {
  /** Absolute path of the repository root. */
  repoRoot: string;
  /** Absolute path of this service's own folder (data, logs, pid file, downloaded jars…). */
  dir: string;
  /** True under CI=true: never prompt, never assume a warm machine. */
  ci: boolean;
  /** Progress lines for humans, written to stderr. Never log secrets. */
  log: (message: string) => void;
}

export interface ProbeResult {
  up: boolean;
  /** Server version as the server itself reports it, when up. */
  version?: string;
  /** Why it is not up (e.g. "connect ECONNREFUSED 127.0.0.1:55432"). */
  error?: string;
}

export interface ServiceModule {
  name: ServiceName;
  /** Env var that points Clutch and the tests at this service, e.g. DATABASE_URL. When it is set
   *  by the user, the service is "external": we probe it but never start or stop it. */
  envVar: string;
  /** URL of the managed instance (honours CLUTCH_<NAME>_PORT). */
  managedUrl(): string;
  /** Installs binaries/jars/packages if missing. Idempotent; may call apt-get via ./apt.ts. */
  install(ctx: ServiceContext): Promise<void>;
  /** Starts the managed instance if it is not already up, then waits for real readiness
   *  (a protocol-level request, never a sleep). Idempotent. Throws with the log tail on failure. */
  start(ctx: ServiceContext): Promise<void>;
  /** Stops the managed instance if running. Idempotent. */
  stop(ctx: ServiceContext): Promise<void>;
  /** Protocol-level readiness check of any instance at url. Never throws. */
  probe(url: string, timeoutMs: number): Promise<ProbeResult>;
  /** PID of the managed instance if its pid file names a live process. */
  pid(ctx: ServiceContext): Promise<number | undefined>;
}
