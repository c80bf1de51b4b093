// Inference and training on our own small fixtures: predictions are deterministic, explanations
// sum to the logit for every model kind, training is reproducible from its seed, the shipped models
// load and answer a draft what-if.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRows } from '../../../src/predict/dataset.ts';
import { Model } from '../../../src/predict/model.ts';
import { DraftError, loadShippedModels, predictDraft } from '../../../src/predict/index.ts';
import { TASKS, type Row, type Task } from '../../../src/predict/tasks.ts';
import { trainTask, type TaskPlan } from '../../../src/predict/train/train.ts';

const fixture = (f: string) => fileURLToPath(new URL(`../../fixtures/predict/${f}`, import.meta.url));

const PLANS: Record<Task, TaskPlan> = {
  'dota2-draft': { description: 'test', file: '', baseline: { extractor: 'dota-picks', lambdas: [1e-2] }, candidates: [{ name: 'pairs', extractor: 'dota-pairs', kind: 'linear', lambda: 1e-2, lambdaPair: 1e-1 }] },
  'lol-draft': { description: 'test', file: '', baseline: { extractor: 'lol-picks', lambdas: [1e-2] }, candidates: [{ name: 'pairs', extractor: 'lol-pairs', kind: 'linear', lambda: 1e-2, lambdaPair: 1e-1 }] },
  'lol-10min': { description: 'test', file: '', baseline: { extractor: 'lol10-raw', lambdas: [1e-2] }, candidates: [{ name: 'lr', extractor: 'lol10-eng', kind: 'linear', lambda: 1e-2 }] },
  'cs-round': {
    description: 'test', file: '', baseline: { extractor: 'cs-raw', lambdas: [1e-2] },
    candidates: [{ name: 'gbt', extractor: 'cs-eng', kind: 'gbt', gbt: { trees: 20, depth: 3, learningRate: 0.2, lambda: 1, minHessian: 2, subsample: 0.8 } }],
  },
};

const rowsOf = async (task: Task) => (await loadRows(task, fixture(`${task}.csv`))).rows;

describe.each(TASKS)('%s on a fixture', (task) => {
  it('trains reproducibly: the same seed gives the same artefact', async () => {
    const rows = await rowsOf(task);
    expect(rows.length).toBe(300);
    const a = trainTask(task, rows, { seed: 7, plan: PLANS[task] });
    const b = trainTask(task, rows, { seed: 7, plan: PLANS[task] });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.metrics?.test?.calibrated.n).toBe(45);
    if (task === 'cs-round') expect(JSON.stringify(trainTask(task, rows, { seed: 8, plan: PLANS[task] }).gbt)).not.toBe(JSON.stringify(a.gbt));
  });

  it('predicts deterministically; the explanation sums to the logit', async () => {
    const rows = await rowsOf(task);
    const file = trainTask(task, rows, { seed: 1, plan: PLANS[task] });
    const m1 = new Model(file);
    const m2 = new Model(JSON.parse(JSON.stringify(file)));
    for (const r of rows.slice(0, 50) as Row[]) {
      const p = m1.predict(r);
      expect(m2.predict(r)).toEqual(p);
      expect(p.probability).toBeGreaterThan(0);
      expect(p.probability).toBeLessThan(1);
      const e = m1.explain(r);
      expect(e.logit).toBeCloseTo(p.logit, 9);
      expect(e.bias + e.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(p.logit, 9);
      expect(e.probability).toBeCloseTo(p.probability, 12);
      const top = m1.explain(r, 3);
      expect(top.contributions).toHaveLength(3);
      expect(top.bias + top.rest + top.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(p.logit, 9);
      expect(Math.abs(top.contributions[0]!.contribution)).toBeGreaterThanOrEqual(Math.abs(top.contributions[2]!.contribution));
    }
  });
});

describe('shipped models', () => {
  it('load, and explain a draft what-if by picks, synergies and match-ups', () => {
    const models = loadShippedModels();
    expect(Object.keys(models).sort()).toEqual([...TASKS].sort());
    for (const m of Object.values(models)) expect(Buffer.byteLength(JSON.stringify(m.file))).toBeLessThan(1 << 20);
    const e = predictDraft('dota2-draft', [1, 2, 3, 4, 5], [6, 7, 8, 9, 10], { top: 5 });
    expect(e.contributions).toHaveLength(5);
    expect(e.bias + e.rest + e.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(e.logit, 9);
    // Swapping the teams mirrors the draft part of the logit (only the bias, team 1's edge, stays).
    const s = predictDraft('dota2-draft', [6, 7, 8, 9, 10], [1, 2, 3, 4, 5]);
    expect(s.logit - s.bias).toBeCloseTo(-(e.logit - e.bias), 9);
    expect(e.contributions.some((c) => /^(hero|synergy|matchup)/.test(c.label))).toBe(true);
    expect(() => predictDraft('dota2-draft', [1, 1], [2])).toThrow(DraftError);
    expect(() => predictDraft('dota2-draft', [1], [200])).toThrow(/not valid/);
    // A partial draft is scored too.
    expect(predictDraft('lol-draft', [1, 2], [3]).probability).toBeGreaterThan(0);
  });
});
