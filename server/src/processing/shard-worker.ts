// Worker-thread entry of the processor's shards: one MatchShard, driven by messages from
// WorkerShards (shards.ts). Record values arrive packed in one transferred buffer.
import { parentPort, workerData } from 'node:worker_threads';
import { MatchShard, type PredictionsMode } from './shard.ts';
import type { ShardRequest, ShardResponse } from './shards.ts';

const shard = new MatchShard(workerData as { maxCachedMatches?: number; allowedLatenessMs?: number; predictions?: PredictionsMode });

parentPort!.on('message', (req: ShardRequest) => {
  let res: ShardResponse;
  try {
    res = { id: req.id, result: run(req) };
  } catch (err) {
    res = { id: req.id, error: (err as Error).message };
  }
  parentPort!.postMessage(res);
});

function run(req: ShardRequest): unknown {
  switch (req.op) {
    case 'decode': {
      const values: Buffer[] = [];
      let start = 0;
      for (const end of req.ends) {
        values.push(Buffer.from(req.buf, start, end - start));
        start = end;
      }
      return shard.decode(req.batchId, values);
    }
    case 'apply':
      return shard.apply(req.batchId, req.seeds);
    case 'drop':
      return shard.drop(req.batchId);
    case 'clear':
      return shard.clear();
  }
}
