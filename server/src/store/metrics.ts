// Time-series metric points (a TimescaleDB hypertable or a native partitioned table: same SQL).
import { sql } from 'kysely';
import { chunks, type Db } from './db.ts';

export interface MetricPoint {
  time: Date;
  tenant: string;
  matchId: string;
  subject: string;
  metric: string;
  value: number;
}

export async function insertMetricPoints(db: Db, points: readonly MetricPoint[]): Promise<void> {
  for (const part of chunks(points)) {
    await db
      .insertInto('metric_points')
      .values(part.map((p) => ({ time: p.time, tenant_id: p.tenant, match_id: p.matchId, subject: p.subject, metric: p.metric, value: p.value })))
      .execute();
  }
}

export interface Bucket {
  start: Date;
  subject: string;
  avg: number;
  max: number;
  count: number;
}

/** Aggregates one metric of one match into fixed buckets (date_bin: core PostgreSQL 14+, no extension needed). */
export async function metricBuckets(
  db: Db,
  tenant: string,
  q: { matchId: string; metric: string; bucketSeconds: number; from: Date; to: Date },
): Promise<Bucket[]> {
  const bucket = sql<Date>`date_bin(make_interval(secs => ${q.bucketSeconds}), time, timestamptz '2000-01-01')`;
  const rows = await db
    .selectFrom('metric_points')
    .select([bucket.as('start'), 'subject', sql<number>`avg(value)`.as('avg'), sql<number>`max(value)`.as('max'), sql<number>`count(*)::int`.as('count')])
    .where('tenant_id', '=', tenant)
    .where('match_id', '=', q.matchId)
    .where('metric', '=', q.metric)
    .where('time', '>=', q.from)
    .where('time', '<', q.to)
    .groupBy([sql`1`, 'subject'])
    .orderBy(sql`1`)
    .orderBy('subject')
    .execute();
  return rows.map((r) => ({ start: new Date(r.start), subject: r.subject, avg: Number(r.avg), max: Number(r.max), count: r.count }));
}
