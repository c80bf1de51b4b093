import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../../src/infra/partitioner.ts';

// Expected values printed by Kafka's own org.apache.kafka.common.utils.Utils.murmur2 / toPositive
// (kafka-clients 4.4.0, run with java on this machine): a match id lands on the same partition
// whichever Kafka client wrote it, and in the in-memory log too.
const JAVA: [string, number, number][] = [
  ['21', -973932308, 0],
  ['foobar', -790332482, 0],
  ['a-little-bit-long-string', -985981536, 2],
  ['a-little-bit-longer-string', -1486304829, 5],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 5],
  ['abc', 479470107, 3],
  ['cs2-mwu9zmdh-1', -1737178023, 5],
  ['match-é', -1200962662, 4],
];

describe("Kafka's default partitioner", () => {
  it.each(JAVA)('hashes %s like the Java client and picks its partition of 6', (key, hash, partition) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(hash);
    expect(partitionForKey(key, 6)).toBe(partition);
  });
});
