// The shipped models on the shared datasets (/work/shared/data, or CLUTCH_DATA_DIR): each one,
// scored on its test block (the last 15 % of the file, never seen in training, refit or calibration),
// gives exactly the metrics recorded in its artefact and docs/predictions.md, and at least the
// floors below. Skipped, with a message, when the data is not on this machine.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRows, splitBlocks } from '../../../src/predict/dataset.ts';
import { loadModel } from '../../../src/predict/index.ts';
import { metrics } from '../../../src/predict/metrics.ts';
import { TASKS, type Task } from '../../../src/predict/tasks.ts';
import { PLANS } from '../../../src/predict/train/train.ts';
import { evaluateFile } from '../../../src/cli/predict.ts';

const dataDir = process.env.CLUTCH_DATA_DIR ?? '/work/shared/data';
const present = existsSync(join(dataDir, PLANS['lol-10min'].file));
if (!present) process.stderr.write(`predict shared-data tests skipped: the shared datasets are not in ${dataDir} (set CLUTCH_DATA_DIR)\n`);

// What docs/predictions.md reports (test block, calibrated model), as floors / ceilings.
const FLOORS: Record<Task, { accuracy: number; auc: number; maxEce: number; maxLogloss: number }> = {
  'dota2-draft': { accuracy: 0.608, auc: 0.651, maxEce: 0.006, maxLogloss: 0.6553 },
  'lol-draft': { accuracy: 0.554, auc: 0.575, maxEce: 0.011, maxLogloss: 0.6848 },
  'lol-10min': { accuracy: 0.759, auc: 0.837, maxEce: 0.035, maxLogloss: 0.4968 },
  'cs-round': { accuracy: 0.755, auc: 0.861, maxEce: 0.012, maxLogloss: 0.4426 },
};

describe.skipIf(!present).each(TASKS)('%s on the shared dataset', (task) => {
  it('the shipped model gives the recorded test-block metrics, at least the reported floors, and beats the baseline log-loss', async () => {
    const model = loadModel(task);
    const { rows } = await loadRows(task, join(dataDir, PLANS[task].file));
    expect(rows.length).toBe((model.file.training.rows as { total: number }).total);
    const { test } = splitBlocks(rows);
    const m = metrics(test.map((r) => model.predict(r).probability), test.map((r) => r.y));
    const recorded = model.file.metrics!.test!;
    for (const k of ['accuracy', 'logloss', 'brier', 'auc', 'ece'] as const) expect(m[k]).toBeCloseTo(recorded.calibrated[k], 5);
    const f = FLOORS[task];
    expect(m.accuracy).toBeGreaterThanOrEqual(f.accuracy);
    expect(m.auc).toBeGreaterThanOrEqual(f.auc);
    expect(m.ece).toBeLessThanOrEqual(f.maxEce);
    expect(m.logloss).toBeLessThanOrEqual(f.maxLogloss);
    expect(recorded.raw.logloss).toBeLessThan(recorded.baseline.logloss);
  }, 180_000);
});

describe.skipIf(!present)('clutch predict eval on a shared file', () => {
  it('streams the whole 10-minute file and scores every row', async () => {
    const { result, bad } = await evaluateFile(loadModel('lol-10min'), join(dataDir, PLANS['lol-10min'].file));
    expect(bad).toBe(0);
    expect(result.n).toBe(7900);
    expect(result.auc).toBeGreaterThan(0.8);
  });
});
