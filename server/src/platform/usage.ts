// Usage metering (docs/usage.md): every billable unit, counted per organisation, app, unit and UTC day.
//
//   record() ──(process memory, ≤ pushMs)──▶ shared counters (Redis) ──(flusher, every flushMs)──▶ usage_ledger (PostgreSQL)
//
// The meter adds in memory and pushes to the shared counters every second (and at close), so the hot
// path never waits on Redis. The flusher seals the counters into a batch, writes the batch to the
// ledger keyed by its id (a batch written twice counts once), then drops it; any instance may flush,
// and a flusher that dies mid-way leaves the batch for the next one. What reached the counters is
// never lost; a process killed without warning loses what it counted in its last second.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import Type from 'typebox';
import { ErrorBody } from '../api/errors.ts';
import { tenantOf } from '../auth/plugin.ts';
import { createError } from '../errors.ts';
import type { Counters } from '../ports/cache.ts';
import type { Db } from '../store/db.ts';
import { usageByDay, writeBatch, type LedgerRow } from '../store/usage.ts';
import { UNITS, type Unit } from './units.ts';

export { UNITS, type Unit };

const SET = 'usage';
/** Distinct (tenant, app, unit, day) kept in memory between pushes; beyond it, pushes happen early. */
const MAX_PENDING = 50_000;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const field = (tenant: string, appId: string, unit: Unit, d: string) => `${tenant}\u0001${appId}\u0001${unit}\u0001${d}`;

export interface MeterOptions {
  counters: Counters;
  db: Db;
  log: Logger;
  /** Memory → counters (default 1 s). */
  pushMs?: number;
  /** Counters → ledger (default 10 s; 0 = this process does not flush). */
  flushMs?: number;
  clock?: () => number;
}

export class Meter {
  readonly #o: MeterOptions;
  readonly #clock: () => number;
  #pending = new Map<string, number>();
  #pushTimer: NodeJS.Timeout | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #pushing: Promise<void> | undefined;
  #flushing: Promise<number> | undefined;

  constructor(o: MeterOptions) {
    this.#o = o;
    this.#clock = o.clock ?? Date.now;
    this.#pushTimer = setInterval(() => void this.push(), o.pushMs ?? 1_000);
    this.#pushTimer.unref();
    if ((o.flushMs ?? 10_000) > 0) {
      this.#flushTimer = setInterval(() => void this.flush().catch((err: unknown) => o.log.warn({ error: err }, 'usage flush failed; retried at the next one')), o.flushMs ?? 10_000);
      this.#flushTimer.unref();
    }
  }

  /** Counts `quantity` of a unit for an organisation (and app; '-' when none). Never throws, never waits. */
  record(tenant: string, appId: string | undefined, unit: Unit, quantity = 1): void {
    if (!(quantity > 0) || !Number.isFinite(quantity)) return;
    const k = field(tenant, appId ?? '-', unit, day(this.#clock()));
    this.#pending.set(k, (this.#pending.get(k) ?? 0) + Math.round(quantity));
    if (this.#pending.size > MAX_PENDING) void this.push();
  }

  /** Moves the counts in memory to the shared counters (kept in memory if that fails). */
  async push(): Promise<void> {
    if (this.#pushing) return this.#pushing;
    if (!this.#pending.size) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#pushing = this.#o.counters
      .add(SET, Object.fromEntries(batch))
      .catch((err: unknown) => {
        // Put them back for the next push.
        for (const [k, v] of batch) this.#pending.set(k, (this.#pending.get(k) ?? 0) + v);
        this.#o.log.warn({ error: err }, 'usage counters unavailable; counts kept in memory');
      })
      .finally(() => (this.#pushing = undefined));
    return this.#pushing;
  }

  /** Seals the shared counters and writes every sealed batch to the ledger. Returns the batches written. */
  async flush(): Promise<number> {
    this.#flushing ??= (async () => {
      try {
        await this.#o.counters.seal(SET);
        let written = 0;
        for (const b of await this.#o.counters.batches(SET)) {
          const rows: LedgerRow[] = [];
          for (const [k, quantity] of Object.entries(b.counts)) {
            const [tenant, appId, unit, d] = k.split('\u0001') as [string, string, string, string];
            if (quantity > 0) rows.push({ tenant, appId, unit, day: d, quantity });
          }
          await writeBatch(this.#o.db, b.id, rows);
          await this.#o.counters.drop(SET, b.id);
          written++;
        }
        return written;
      } finally {
        this.#flushing = undefined;
      }
    })();
    return this.#flushing;
  }

  /** Pushes and flushes what is left, then stops the timers. */
  async close(): Promise<void> {
    clearInterval(this.#pushTimer);
    clearInterval(this.#flushTimer);
    await this.push();
    if (this.#flushTimer) await this.flush().catch((err: unknown) => this.#o.log.warn({ error: err }, 'usage flush at shutdown failed; the next instance flushes it'));
  }
}

/** Counts an api_call for every answered (2xx/3xx) request of a route behind a scope. */
export const metering = fp(
  async (app: FastifyInstance, o: { meter: Meter }) => {
    app.addHook('onResponse', async (req, reply) => {
      if (req.auth && req.routeOptions.config.access?.kind === 'scope' && reply.statusCode < 400) o.meter.record(req.auth.tenant, req.auth.appId, 'api_call');
    });
  },
  { name: 'clutch-metering', dependencies: ['clutch-auth'] },
);

export const RangeTooLong = createError('CLUTCH_USAGE_RANGE_TOO_LONG', 'at most 366 days per request (%d asked)', 400);

/** GET /v1/usage/ledger: the organisation's usage per app, unit and day. */
export const ledgerApi: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, o) => {
  const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (UTC)' });
  app.get(
    '/v1/usage/ledger',
    {
      schema: {
        summary: "The organisation's usage per app, unit and day",
        description: `Units: ${UNITS.join(', ')}. Counted in the ledger within about 10 s (docs/usage.md). Default: the current month.`,
        tags: ['usage'],
        querystring: Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ organisation: Type.String(), from: Type.String(), to: Type.String(), totals: Type.Record(Type.String(), Type.Integer()), data: Type.Array(Type.Object({ app: Type.String(), unit: Type.String(), day: Type.String(), quantity: Type.Integer() })) }),
          400: ErrorBody,
        },
      },
    },
    async (req) => {
      const tenant = tenantOf(req);
      const today = day(Date.now());
      const from = req.query.from ?? `${today.slice(0, 8)}01`;
      const to = req.query.to ?? today;
      const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
      if (!(days >= 0)) throw new RangeTooLong(0);
      if (days > 366) throw new RangeTooLong(Math.round(days));
      const rows = await usageByDay(o.db, tenant, from, to);
      const totals: Record<string, number> = {};
      for (const r of rows) totals[r.unit] = (totals[r.unit] ?? 0) + r.quantity;
      return { organisation: tenant, from, to, totals, data: rows.map((r) => ({ app: r.appId, unit: r.unit, day: r.day, quantity: r.quantity })) };
    },
  );
};
