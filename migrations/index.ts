// All migrations, in order. Names sort lexically; never rename or edit one that has shipped.
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_initial.ts';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
};
