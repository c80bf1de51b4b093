// Topic lifecycle for the benchmark: create with N partitions and wait until every partition has a
// leader (CreateTopics returns before the broker's metadata cache knows the topic), count records, delete.
import { Admin, ListOffsetTimestamps } from '@platformatic/kafka';
import { setTimeout as sleep } from 'node:timers/promises';

export class Topics {
  readonly admin: Admin;
  constructor(brokers: string[]) {
    this.admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: brokers });
  }

  async create(name: string, partitions: number): Promise<void> {
    await this.admin.createTopics({ topics: [name], partitions, replicas: 1 });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const md = await this.admin.metadata({ topics: [name], forceUpdate: true });
      const t = md.topics.get(name);
      if (t && t.partitionsCount === partitions && t.partitions.every((p) => p !== undefined && p.leader >= 0)) return;
      if (Date.now() > deadline) throw new Error(`topic ${name} has no leaders after 30 s`);
      await sleep(50);
    }
  }

  /** Sum of end offsets = records written (idempotent producers, no transactions: no control records). */
  async count(name: string, partitions: number): Promise<number> {
    const partitionList = Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp: ListOffsetTimestamps.LATEST }));
    const listed = await this.admin.listOffsets({ topics: [{ name, partitions: partitionList }] });
    return listed.flatMap((t) => t.partitions).reduce((sum, p) => sum + Number(p.offset), 0);
  }

  async delete(name: string): Promise<void> {
    await this.admin.deleteTopics({ topics: [name] });
  }

  async close(): Promise<void> {
    await this.admin.close();
  }
}
