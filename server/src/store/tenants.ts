import type { Db } from './db.ts';

/** Creates the tenant if missing; returns nothing either way (idempotent). */
export async function ensureTenant(db: Db, id: string, name: string): Promise<void> {
  await db.insertInto('tenants').values({ id, name }).onConflict((oc) => oc.column('id').doNothing()).execute();
}
