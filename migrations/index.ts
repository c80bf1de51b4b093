// All migrations, in order. Names sort lexically; never rename or edit one that has shipped.
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_ingest_tokens.ts';
import * as m0003 from './0003_processing.ts';
import * as m0004 from './0004_match_events.ts';
import * as m0005 from './0005_webhooks.ts';
import * as m0006 from './0006_plugins.ts';
import * as m0007 from './0007_platform.ts';
import * as m0008 from './0008_usage.ts';
import * as m0009 from './0009_billing.ts';
import * as m0010 from './0010_users.ts';
import * as m0011 from './0011_meter_reports.ts';
import * as m0012 from './0012_predictions.ts';
import * as m0013 from './0013_predictions_json.ts';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_ingest_tokens': m0002,
  '0003_processing': m0003,
  '0004_match_events': m0004,
  '0005_webhooks': m0005,
  '0006_plugins': m0006,
  '0007_platform': m0007,
  '0008_usage': m0008,
  '0009_billing': m0009,
  '0010_users': m0010,
  '0011_meter_reports': m0011,
  '0012_predictions': m0012,
  '0013_predictions_json': m0013,
};
