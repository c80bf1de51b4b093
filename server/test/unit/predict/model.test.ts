// Inference and training on our own small fixtures: predictions are deterministic, explanations
// sum to the logit for every model kind, training is reproducible from its seed, the shipped models
// load and answer a draft what-if.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRows } from '../../../src/predict/dataset.ts';
import { Model } from '../../../src/predict/model.ts';
import { DraftError, loadShippedModels, predictDraft } from '../../../src/predict/index.ts';
import { dotaRegion, EXTRACTORS, TASKS, type DraftRow, type Row, type Task } from '../../../src/predict/tasks.ts';
import { crossFittedPlattGain, trainTask, type TaskPlan } from '../../../src/predict/train/train.ts';

const fixture = (f: string) => fileURLToPath(new URL(`../../fixtures/predict/${f}`, import.meta.url));

const PLANS: Record<Task, TaskPlan> = {
  'dota2-draft': {
    description: 'test', file: '', baseline: { extractor: 'dota-picks', lambdas: [1e-2] },
    candidates: [{ name: 'pairs', extractor: 'dota-pairs', kind: 'linear', lambda: 1e-2, lambdaPair: 1e-1 }, { name: 'ctx', extractor: 'dota-ctx', kind: 'linear', lambda: 1e-2, lambdaPair: 1e-1, lambdaCtx: 1e-1, lambdaOne: 1e-2 }],
  },
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

describe('Dota draft context features (dota-ctx)', () => {
  const of = (r: DraftRow) => {
    const f = EXTRACTORS['dota-ctx']!.of(r);
    return new Map(f.names.map((n, i) => [n, f.values[i]!]));
  };
  const row: DraftRow = { y: 1, team1: [1, 2, 3, 4, 5], team2: [6, 7, 8, 9, 10], ctx: { cluster: 223, mode: 2, type: 2 } };

  it('adds the region, mode and lobby one-hots and each hero by region and mode group, antisymmetric in the heroes', () => {
    const f = of(row);
    expect(dotaRegion(223)).toBe('China');
    expect(dotaRegion(232)).toBe('other');
    expect(f.get('r:China')).toBe(1);
    expect(f.get('m:2')).toBe(1);
    expect(f.get('t:2')).toBe(1);
    expect(f.get('hr:1:China')).toBe(1);
    expect(f.get('hr:6:China')).toBe(-1);
    expect(f.get('hm:10:2')).toBe(-1);
    expect(of({ ...row, ctx: { cluster: 111, mode: 22, type: 7 } }).get('hm:1:other')).toBe(1);
    // Swapping the teams negates every hero-derived feature; the context one-hots stay.
    const s = of({ ...row, team1: row.team2, team2: row.team1 });
    for (const [n, v] of f) expect(s.get(n), n).toBe(/^[rmt]:/.test(n) ? v : -v);
    // Without the lobby's context (live drafts, the what-if API) only picks and pairs remain.
    const bare = of({ y: 1, team1: row.team1, team2: row.team2 });
    expect([...bare.keys()].some((n) => /^(hr|hm|r|m|t):/.test(n))).toBe(false);
    expect(bare.size).toBe(10 + 20 + 25);
  });

  it('labels them for explanations', () => {
    const label = EXTRACTORS['dota-ctx']!.label;
    expect(label('hr:12:Europe West')).toBe('hero 12 in region Europe West');
    expect(label('hm:12:other')).toBe('hero 12 in game mode other than 2, 8, 9');
    expect(label('r:Russia')).toBe('region Russia');
  });
});

describe('calibration choice', () => {
  it('keeps Platt only when, cross-fitted on the two halves, it beats the raw logits', () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const n = 4000;
    const z = Float64Array.from({ length: n }, () => (rand() - 0.5) * 6);
    const draw = (p: (z: number) => number) => Uint8Array.from(z, (v) => (rand() < p(v) ? 1 : 0));
    // Labels from the logits themselves: calibrated, Platt cannot help out of sample.
    expect(crossFittedPlattGain(z, draw((v) => 1 / (1 + Math.exp(-v))))).toBeLessThan(0.001);
    // Over-confident logits (the truth is σ(z / 3)): Platt helps.
    expect(crossFittedPlattGain(z, draw((v) => 1 / (1 + Math.exp(-v / 3))))).toBeGreaterThan(0.02);
  });
});
