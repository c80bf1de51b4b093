// The usage ledger (migration 0008, docs/usage.md): batches of counts written once each, and the
// sums a developer reads, always scoped to one organisation.
import { sql } from 'kysely';
import { upsertJson, type Db } from './db.ts';

export interface LedgerRow {
  tenant: string;
  appId: string;
  unit: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  quantity: number;
}

/** Writes a batch's rows; a batch written before (same id) changes nothing. */
export async function writeBatch(db: Db, batchId: string, rows: readonly LedgerRow[]): Promise<void> {
  if (!rows.length) return;
  await upsertJson(db, {
    table: 'usage_ledger',
    columns: { batch_id: 'text', tenant_id: 'text', app_id: 'text', unit: 'text', day: 'date', quantity: 'bigint' },
    rows: rows.map((r) => ({ batch_id: batchId, tenant_id: r.tenant, app_id: r.appId, unit: r.unit, day: r.day, quantity: r.quantity })),
    conflict: ['batch_id', 'tenant_id', 'app_id', 'unit', 'day'],
    update: [],
  });
}

/** Usage of an organisation per app, unit and day within [from, to] (days, inclusive). */
export async function usageByDay(db: Db, tenant: string, from: string, to: string): Promise<LedgerRow[]> {
  const rows = await db
    .selectFrom('usage_ledger')
    .select(['app_id', 'unit', sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), sql<string>`sum(quantity)::text`.as('quantity')])
    .where('tenant_id', '=', tenant)
    .where('day', '>=', sql<Date>`${from}::date`)
    .where('day', '<=', sql<Date>`${to}::date`)
    .groupBy(['app_id', 'unit', 'day'])
    .orderBy('day')
    .orderBy('app_id')
    .orderBy('unit')
    .limit(10_000)
    .execute();
  return rows.map((r) => ({ tenant, appId: r.app_id, unit: r.unit, day: r.day, quantity: Number(r.quantity) }));
}
