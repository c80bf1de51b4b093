// Monthly quotas (docs/limits.md): API calls per calendar month (UTC) per organisation, as the plan
// says. Usage comes from the usage ledger (platform/usage.ts), read at most every `cacheMs` per
// organisation and instance, plus what this instance admitted since that read. The ledger trails
// live usage by the meter's flush interval (10 s by default), so a quota is a soft limit: an
// organisation can go over it by what all instances admit within about that long, never by more.
import { sql } from 'kysely';
import type { Db } from '../store/db.ts';
import type { Plan } from './plans.ts';

export interface QuotaState {
  limit: number;
  /** API calls this month, as far as this instance knows. */
  used: number;
  /** Start of the next month (UTC), when the quota starts again. */
  resetsAt: Date;
}

export const monthStart = (ms: number) => {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
};
export const nextMonthStart = (ms: number) => {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
};

/** API calls an organisation made from `from` (a month's first day) on, from the ledger. */
export async function apiCallsSince(db: Db, tenant: string, from: Date): Promise<number> {
  const r = await db
    .selectFrom('usage_ledger')
    .select(sql<string>`coalesce(sum(quantity), 0)::text`.as('n'))
    .where('tenant_id', '=', tenant)
    .where('unit', '=', 'api_call')
    .where('day', '>=', sql<Date>`${from.toISOString().slice(0, 10)}::date`)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export class Quotas {
  readonly #db: Db;
  readonly #cacheMs: number;
  readonly #clock: () => number;
  readonly #seen = new Map<string, { month: number; at: number; ledger: Promise<number>; since: number }>();

  constructor(o: { db: Db; cacheMs?: number; clock?: () => number }) {
    this.#db = o.db;
    this.#cacheMs = o.cacheMs ?? 10_000;
    this.#clock = o.clock ?? Date.now;
  }

  /** The organisation's quota now, or undefined when its plan has none. */
  async state(tenant: string, plan: Plan): Promise<QuotaState | undefined> {
    if (plan.monthlyApiCalls === null) return undefined;
    const now = this.#clock();
    const month = monthStart(now).getTime();
    let e = this.#seen.get(tenant);
    if (!e || e.month !== month || now - e.at >= this.#cacheMs) {
      const ledger = apiCallsSince(this.#db, tenant, new Date(month));
      e = { month, at: now, ledger, since: 0 };
      ledger.catch(() => this.#seen.delete(tenant));
      this.#seen.delete(tenant);
      this.#seen.set(tenant, e);
      if (this.#seen.size > 10_000) this.#seen.delete(this.#seen.keys().next().value!);
    }
    return { limit: plan.monthlyApiCalls, used: (await e.ledger) + e.since, resetsAt: nextMonthStart(now) };
  }

  /** Counts a call this instance admitted (until the next ledger read includes it). */
  admitted(tenant: string): void {
    const e = this.#seen.get(tenant);
    if (e) e.since++;
  }
}
