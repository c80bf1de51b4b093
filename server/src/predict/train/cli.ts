// npm run train -- <task|all> [--data <dir>] [--out <dir>] [--docs <dir>]
// Trains from the shared datasets (default /work/shared/data, or CLUTCH_DATA_DIR) and writes
// server/models/<task>.v1.json and the reliability curves docs/predictions/<task>.svg.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { TASKS, isTask, type Task } from '../tasks.ts';
import { loadRows } from '../dataset.ts';
import { PLANS, trainTask } from './train.ts';
import { reliabilitySvg } from './svg.ts';
import { SHIPPED } from '../index.ts';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { data: { type: 'string' }, out: { type: 'string' }, docs: { type: 'string' }, seed: { type: 'string' } } });
  const which = positionals[0] ?? 'all';
  if (which !== 'all' && !isTask(which)) {
    console.error(`usage: npm run train -- <${TASKS.join('|')}|all> [--data <dir>] [--out <dir>] [--docs <dir>] [--seed <n>]`);
    return 2;
  }
  const data = values.data ?? process.env.CLUTCH_DATA_DIR ?? '/work/shared/data';
  const out = values.out ?? join(repo, 'server/models');
  const docs = values.docs ?? join(repo, 'docs/predictions');
  const seed = Number(values.seed ?? 1);
  mkdirSync(out, { recursive: true });
  mkdirSync(docs, { recursive: true });
  const tasks: Task[] = which === 'all' ? [...TASKS] : [which];
  for (const task of tasks) {
    const file = join(data, PLANS[task].file);
    if (!existsSync(file)) {
      console.error(`train ${task}: ${file} not found (set --data or CLUTCH_DATA_DIR to the folder of the shared datasets)`);
      return 1;
    }
    const started = Date.now();
    const { rows, stats } = await loadRows(task, file);
    if (stats.bad) console.error(`train ${task}: ${stats.bad} bad rows skipped (${stats.errors.join('; ')})`);
    const model = trainTask(task, rows, { seed, source: { file: PLANS[task].file, fileName: basename(file), sha256: await sha256(file), badRows: stats.bad }, log: (l) => console.error(l) });
    const target = join(out, SHIPPED[task]);
    writeFileSync(target, `${JSON.stringify(model)}\n`);
    writeFileSync(join(docs, `${task}.svg`), reliabilitySvg(task, model));
    console.error(`train ${task}: wrote ${target} (${Math.round(JSON.stringify(model).length / 1024)} KB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return 0;
}

process.exitCode = await main();
