// Store adapter for PostgreSQL 15+ (TimescaleDB when the extension is installed), over node-postgres.
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from '../../ports/store.ts';
import type { DB as Database } from '../db/schema.gen.ts';
import { parseInt8 } from '../db/int8.ts';
import { kyselyStore } from '../db/kysely-store.ts';

const INT8 = 20;

export interface PostgresStoreOptions {
  url: string;
  poolMax?: number;
  /** Statement timeout in ms (limits every query). */
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Schema searched first (tests isolate runs by schema where CREATE DATABASE is not available). */
  searchPath?: string;
}

export function createPostgresStore(opts: PostgresStoreOptions): Store {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolMax ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.statementTimeoutMs ?? 30_000,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8 ? parseInt8 : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // A client losing its server (restart, network) must not crash the process. pg emits 'error' on the
  // client — through the pool while idle, on the client itself while checked out (the query in flight
  // fails too, which is how callers learn of it). The pool discards dead clients; the next query reconnects.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  if (opts.searchPath !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(opts.searchPath)) throw new Error(`invalid schema name ${opts.searchPath}`);
  const searchPath = opts.searchPath;
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool,
      // An identifier cannot be a bind parameter; it is checked against a strict pattern above.
      ...(searchPath ? { onCreateConnection: async (c) => void (await c.executeQuery(CompiledQuery.raw(`set search_path to ${searchPath}, public`))) } : {}),
    }),
  });
  return kyselyStore('postgres', db);
}
