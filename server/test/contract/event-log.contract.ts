// EventLog contract: what every adapter (Kafka, in-memory) must do. Each test uses topics and groups
// of its own, so tests never see each other's records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLog, LogBatch, LogRecord, Subscription, TopicPartition } from '../../src/ports/event-log.ts';
import { runId } from '../support/isolation.ts';

export interface EventLogFixture {
  log: EventLog;
  /** A second, independent client on the same log (another process, for Kafka). */
  other: EventLog;
  close(): Promise<void>;
}

/**
 * Reads batches until `count` records arrived (or fails after timeoutMs, saying how many came). One
 * next() at a time: a timed-out wait is resumed, never abandoned (that would lose its batch).
 */
export async function collect(sub: Subscription, count: number, timeoutMs = 20_000): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const it = iteratorOf(sub);
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`expected ${count} records, got ${out.length} in ${timeoutMs} ms`);
    it.pending ??= it.iterator.next();
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([it.pending, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), left)))]);
    clearTimeout(timer);
    if (next === 'timeout') continue;
    it.pending = undefined;
    if (next.done) throw new Error(`subscription ended after ${out.length} of ${count} records`);
    out.push(...next.value.records);
  }
  return out;
}

const iterators = new WeakMap<Subscription, { iterator: AsyncIterator<LogBatch>; pending?: Promise<IteratorResult<LogBatch>> | undefined }>();
function iteratorOf(sub: Subscription) {
  let it = iterators.get(sub);
  if (!it) iterators.set(sub, (it = { iterator: sub[Symbol.asyncIterator]() }));
  return it;
}

/** Waits `ms` and returns whatever arrived (to show that nothing more comes). */
async function drain(sub: Subscription, ms: number): Promise<LogRecord[]> {
  try {
    return await collect(sub, Number.MAX_SAFE_INTEGER, ms);
  } catch (err) {
    const m = /got (\d+)/.exec((err as Error).message);
    if (m && m[1] === '0') return [];
    throw err;
  }
}

const text = (r: LogRecord) => r.value.toString('utf8');
const rec = (topic: string, key: string, value: string, headers?: Record<string, string>) => ({
  topic,
  key,
  value: Buffer.from(value),
  ...(headers ? { headers } : {}),
});
const sortTp = (tps: TopicPartition[]) => [...tps].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);

export function eventLogContract(name: string, make: () => Promise<EventLogFixture>): void {
  describe(`EventLog contract — ${name}`, () => {
    let f: EventLogFixture;
    let prefix: string;
    const topic = async (suffix: string, partitions = 1) => {
      const t = `${prefix}.${suffix}`;
      await f.log.ensureTopics([{ name: t, partitions }]);
      return t;
    };
    const group = (suffix: string) => `${prefix}.g.${suffix}`;

    beforeAll(async () => {
      f = await make();
      prefix = `t${runId()}`;
    });
    afterAll(async () => {
      await f?.close();
    });

    it('keeps the records of one key on one partition, in append order', async () => {
      const t = await topic('order', 4);
      const keys = Array.from({ length: 8 }, (_, i) => `match-${i}`);
      const results = [];
      for (let round = 0; round < 3; round++) {
        results.push(...(await f.log.append(keys.flatMap((k) => Array.from({ length: 5 }, (_, j) => rec(t, k, `${k}:${round * 5 + j}`))))));
      }
      const sub = await f.log.subscribe({ groupId: group('order'), topics: [t] });
      const got = await collect(sub, 120);
      await sub.close();
      for (const k of keys) {
        const mine = got.filter((r) => r.key === k);
        expect(mine.map((r) => Number(text(r).split(':')[1]))).toEqual(Array.from({ length: 15 }, (_, i) => i));
        expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      }
      // Append results name exactly where each record went.
      const appended = keys.length * 5;
      const where = new Map(got.map((r) => [text(r), `${r.partition}@${r.offset}`]));
      const values = Array.from({ length: 3 }, (_, round) => keys.flatMap((k) => Array.from({ length: 5 }, (_, j) => `${k}:${round * 5 + j}`))).flat();
      expect(results).toHaveLength(appended * 3);
      expect(results.map((r, i) => [values[i], `${r.partition}@${r.offset}`])).toEqual(values.map((v) => [v, where.get(v)]));
    });

    it('reports the partition and offset of every record of a large append', async () => {
      const t = await topic('large', 2);
      const big = Buffer.alloc(300, 'x');
      const records = Array.from({ length: 3000 }, (_, i) => ({ topic: t, key: `k${i % 3}`, value: Buffer.concat([Buffer.from(`${i}:`), big]) }));
      const results = await f.log.append(records);
      const sub = await f.log.subscribe({ groupId: group('large'), topics: [t], maxBatchRecords: 1000 });
      const got = await collect(sub, 3000);
      await sub.close();
      const where = new Map(got.map((r) => [r.value.toString().split(':')[0], `${r.partition}@${r.offset}`]));
      expect(results.map((r) => `${r.partition}@${r.offset}`)).toEqual(records.map((_, i) => where.get(String(i))));
    });

    it('carries a 2 MiB document on a topic made for large records, and refuses one over a topic limit', async () => {
      const big = `${prefix}.big`;
      await f.log.ensureTopics([{ name: big, partitions: 1, maxRecordBytes: 4 * 1024 * 1024 }]);
      // A LoL timeline is JSON like this: repetitive, so it compresses well on the way.
      const doc = Buffer.from(JSON.stringify(Array.from({ length: 30_000 }, (_, i) => ({ t: i * 1000, type: 'ITEM_PURCHASED', participantId: i % 10, itemId: 1000 + (i % 90) }))));
      expect(doc.length).toBeGreaterThan(2 * 1024 * 1024);
      await f.log.append([{ topic: big, key: 'm', value: doc }]);
      const sub = await f.log.subscribe({ groupId: group('big'), topics: [big] });
      const [got] = await collect(sub, 1);
      await sub.close();
      expect(got!.value.equals(doc)).toBe(true);
      // Random bytes do not compress: 2 MiB is over a default topic's 1 MiB.
      const small = await topic('default-limit');
      const noise = Buffer.alloc(2 * 1024 * 1024);
      for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
      await expect(f.log.append([{ topic: small, key: 'm', value: noise }])).rejects.toMatchObject({ code: 'CLUTCH_EVENTLOG_RECORD_TOO_LARGE' });
    });

    it('round-trips keys, binary values and headers', async () => {
      const t = await topic('bytes');
      const value = Buffer.from([0, 255, 1, 254, 10, 13]);
      await f.log.append([{ topic: t, key: 'k-é', value, headers: { 'content-type': 'application/x', traceparent: '00-abc-def-01' } }]);
      const sub = await f.log.subscribe({ groupId: group('bytes'), topics: [t] });
      const [r] = await collect(sub, 1);
      await sub.close();
      expect(r!.key).toBe('k-é');
      expect(Buffer.compare(r!.value, value)).toBe(0);
      expect(r!.headers).toMatchObject({ 'content-type': 'application/x', traceparent: '00-abc-def-01' });
      expect(r!.timestamp).toBeGreaterThan(Date.now() - 60_000);
    });

    it('resumes a group from its committed offset and redelivers what was not committed', async () => {
      const t = await topic('commit');
      await f.log.append(Array.from({ length: 10 }, (_, i) => rec(t, 'm', String(i))));
      const a = await f.log.subscribe({ groupId: group('commit'), topics: [t] });
      const first = await collect(a, 10);
      // Applied 0..3 durably; 4..9 were read but not committed when this member went away.
      await a.commit([{ topic: t, partition: first[3]!.partition, offset: first[3]!.offset + 1n }]);
      await a.close();
      const b = await f.other.subscribe({ groupId: group('commit'), topics: [t] });
      const again = await collect(b, 6);
      await b.close();
      expect(again.map(text)).toEqual(['4', '5', '6', '7', '8', '9']);
    });

    it('starts a new group at the earliest record, or only at new ones when asked for latest', async () => {
      const t = await topic('start');
      await f.log.append([rec(t, 'm', 'old')]);
      const earliest = await f.log.subscribe({ groupId: group('earliest'), topics: [t] });
      expect((await collect(earliest, 1)).map(text)).toEqual(['old']);
      await earliest.close();
      const latest = await f.log.subscribe({ groupId: group('latest'), topics: [t], start: 'latest' });
      await f.log.append([rec(t, 'm', 'new')]);
      expect((await collect(latest, 1)).map(text)).toEqual(['new']);
      await latest.close();
    });

    it('seeks a partition back to replay from a given offset', async () => {
      const t = await topic('seek');
      await f.log.append(Array.from({ length: 5 }, (_, i) => rec(t, 'm', String(i))));
      const sub = await f.log.subscribe({ groupId: group('seek'), topics: [t] });
      const got = await collect(sub, 5);
      sub.seek({ topic: t, partition: got[0]!.partition, offset: got[2]!.offset });
      const replay = await collect(sub, 3);
      await sub.close();
      expect(replay.map(text)).toEqual(['2', '3', '4']);
    });

    it('delivers every record to each independent group', async () => {
      const t = await topic('groups', 2);
      await f.log.append(['a', 'b', 'c', 'd'].map((k) => rec(t, k, k)));
      const g1 = await f.log.subscribe({ groupId: group('g1'), topics: [t] });
      const g2 = await f.other.subscribe({ groupId: group('g2'), topics: [t] });
      const [r1, r2] = await Promise.all([collect(g1, 4), collect(g2, 4)]);
      await Promise.all([g1.close(), g2.close()]);
      expect(r1.map(text).sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(r2.map(text).sort()).toEqual(['a', 'b', 'c', 'd']);
    });

    it('splits partitions between the members of a group and hands them over when one leaves', async () => {
      const t = await topic('members', 4);
      const revokedFromB: TopicPartition[] = [];
      const a = await f.log.subscribe({ groupId: group('members'), topics: [t] });
      const b = await f.other.subscribe({ groupId: group('members'), topics: [t], onRevoked: (tps) => void revokedFromB.push(...tps) });
      // Membership settles asynchronously on Kafka (the first member keeps all partitions until it
      // rejoins): wait until both hold some and together hold each exactly once.
      await expect
        .poll(() => a.assignment().length > 0 && b.assignment().length > 0 && a.assignment().length + b.assignment().length === 4, { timeout: 30_000, interval: 200 })
        .toBe(true);
      const union = sortTp([...a.assignment(), ...b.assignment()]);
      expect(union).toEqual([0, 1, 2, 3].map((partition) => ({ topic: t, partition })));
      const bHad = sortTp(b.assignment());
      await b.close();
      expect(sortTp(revokedFromB)).toEqual(bHad);
      await expect.poll(() => a.assignment().length, { timeout: 30_000, interval: 200 }).toBe(4);
      // The remaining member now receives records of every partition.
      await f.log.append(Array.from({ length: 16 }, (_, i) => rec(t, `k${i}`, String(i))));
      const got = await collect(a, 16);
      await a.close();
      expect(new Set(got.map((r) => r.partition)).size).toBe(4);
    });

    it('makes the records of a transaction visible together when it commits', async () => {
      const t = await topic('tx-commit', 2);
      const value = await f.log.transaction(async (tx) => {
        await tx.append([rec(t, 'a', 'a1'), rec(t, 'b', 'b1')]);
        await tx.append([rec(t, 'a', 'a2')]);
        return 'done';
      });
      expect(value).toBe('done');
      const sub = await f.log.subscribe({ groupId: group('tx-commit'), topics: [t] });
      const got = await collect(sub, 3);
      await sub.close();
      expect(got.map(text).sort()).toEqual(['a1', 'a2', 'b1']);
    });

    it('never delivers a record of an aborted transaction, even after several aborts in a row', async () => {
      const t = await topic('tx-abort');
      for (let i = 1; i <= 2; i++) {
        await expect(
          f.log.transaction(async (tx) => {
            await tx.append([rec(t, 'm', `aborted-${i}a`), rec(t, 'm', `aborted-${i}b`)]);
            throw new Error('processing failed');
          }),
        ).rejects.toThrow('processing failed');
      }
      await f.log.append([rec(t, 'm', 'after')]);
      const sub = await f.log.subscribe({ groupId: group('tx-abort'), topics: [t] });
      const got = await collect(sub, 1);
      const more = await drain(sub, 1500);
      await sub.close();
      expect([...got, ...more].map(text)).toEqual(['after']);
    });

    it('commits the next transaction after one the log refused (the transactional client starts over)', async () => {
      const t = await topic('tx-after-refusal');
      const small = await topic('tx-refused');
      await f.log.transaction(async (tx) => tx.append([rec(t, 'm', 'before')]));
      const noise = Buffer.alloc(2 * 1024 * 1024);
      for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
      // Refused by the log, inside a transaction: the adapter gives up that transaction and its client.
      for (let i = 0; i < 2; i++) {
        await expect(f.log.transaction(async (tx) => tx.append([rec(t, 'm', `lost-${i}`), { topic: small, key: 'm', value: noise }]))).rejects.toMatchObject({ code: 'CLUTCH_EVENTLOG_RECORD_TOO_LARGE' });
        await f.log.transaction(async (tx) => tx.append([rec(t, 'm', `after-${i}`)]));
      }
      const sub = await f.log.subscribe({ groupId: group('tx-after-refusal'), topics: [t] });
      const got = await collect(sub, 3);
      const more = await drain(sub, 1000);
      await sub.close();
      expect([...got, ...more].map(text)).toEqual(['before', 'after-0', 'after-1']);
    });

    it('commits consumed offsets with the records of a transaction, or neither when it aborts (exactly once)', async () => {
      const input = await topic('eos-in');
      const output = await topic('eos-out');
      await f.log.append(['a', 'b', 'c'].map((v) => rec(input, 'm', v)));
      const g = group('eos');
      const sub = await f.log.subscribe({ groupId: g, topics: [input] });
      const batch = await collect(sub, 3);
      const position = { topic: input, partition: batch[0]!.partition, offset: batch[2]!.offset + 1n };
      // Processing fails after writing: the output is never visible and the input is not consumed.
      await expect(
        f.log.transaction(
          async (tx) => {
            await tx.append(batch.map((r) => rec(output, 'm', `${text(r)}-try1`)));
            throw new Error('crash before commit');
          },
          { consumed: { subscription: sub, positions: [position] } },
        ),
      ).rejects.toThrow('crash before commit');
      // The retry commits output and input position together.
      await f.log.transaction(async (tx) => tx.append(batch.map((r) => rec(output, 'm', `${text(r)}-ok`))), { consumed: { subscription: sub, positions: [position] } });
      await sub.close();
      // A new member of the group starts after the three inputs; the output holds one copy of each.
      await f.log.append([rec(input, 'm', 'd')]);
      const next = await f.other.subscribe({ groupId: g, topics: [input] });
      expect((await collect(next, 1)).map(text)).toEqual(['d']);
      await next.close();
      const reader = await f.log.subscribe({ groupId: group('eos-reader'), topics: [output] });
      const out = await collect(reader, 3);
      const more = await drain(reader, 1500);
      await reader.close();
      expect([...out, ...more].map(text)).toEqual(['a-ok', 'b-ok', 'c-ok']);
    });

    it('refuses a transactional commit for a partition the member lost, and writes nothing', async () => {
      const input = await topic('eos-lost');
      const output = await topic('eos-lost-out');
      const sub = await f.log.subscribe({ groupId: group('eos-lost'), topics: [input] });
      await expect(
        f.log.transaction(async (tx) => tx.append([rec(output, 'm', 'x')]), { consumed: { subscription: sub, positions: [{ topic: input, partition: 5, offset: 1n }] } }),
      ).rejects.toMatchObject({ code: 'CLUTCH_EVENTLOG_NOT_ASSIGNED' });
      await sub.close();
      const reader = await f.log.subscribe({ groupId: group('eos-lost-reader'), topics: [output] });
      expect(await drain(reader, 1500)).toEqual([]);
      await reader.close();
    });

    it('reads a whole partition outside any group, for restoring state from a changelog', async () => {
      const t = `${prefix}.changelog`;
      await f.log.ensureTopics([{ name: t, partitions: 2, compacted: true }]);
      const results = await f.log.append(Array.from({ length: 50 }, (_, i) => rec(t, 'stream-1', `state-${i}`)));
      await f.log.transaction(async (tx) => tx.append([rec(t, 'stream-1', 'state-tx')]));
      const partition = results[0]!.partition;
      const seen: string[] = [];
      for await (const batch of f.log.readPartition(t, partition)) seen.push(...batch.map(text));
      expect(seen).toEqual([...Array.from({ length: 50 }, (_, i) => `state-${i}`), 'state-tx']);
      const empty: string[] = [];
      for await (const batch of f.log.readPartition(t, 1 - partition)) empty.push(...batch.map(text));
      expect(empty).toEqual([]);
    });

    it('refuses appends to a topic that does not exist, with a coded error', async () => {
      await expect(f.log.append([rec(`${prefix}.missing`, 'k', 'v')])).rejects.toMatchObject({ code: 'CLUTCH_EVENTLOG_UNKNOWN_TOPIC' });
    });

    it('refuses to commit a partition the member does not own', async () => {
      const t = await topic('owned');
      const sub = await f.log.subscribe({ groupId: group('owned'), topics: [t] });
      await expect(sub.commit([{ topic: t, partition: 7, offset: 1n }])).rejects.toMatchObject({ code: 'CLUTCH_EVENTLOG_NOT_ASSIGNED' });
      await sub.close();
    });

    it('reports low and high offsets of each partition', async () => {
      const t = await topic('offsets', 2);
      await f.log.append(Array.from({ length: 6 }, (_, i) => rec(t, `k${i}`, String(i))));
      const offsets = await f.log.offsets(t);
      expect(offsets.map((o) => o.partition).sort()).toEqual([0, 1]);
      expect(offsets.reduce((n, o) => n + Number(o.high - o.low), 0)).toBe(6);
    });

    it('creating topics that already exist changes nothing', async () => {
      const t = await topic('twice', 3);
      await f.log.ensureTopics([{ name: t, partitions: 3 }]);
      expect((await f.log.offsets(t)).length).toBe(3);
    });
  });
}
