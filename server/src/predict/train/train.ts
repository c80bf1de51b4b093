// Training of one task, pure (no I/O): contiguous blocks (first 70 % train, next 15 % validation,
// last 15 % test — never a random split), a logistic-regression baseline, our candidate models
// selected by validation log-loss, Platt calibration fitted on the validation block (kept only when
// it helps out of sample), then the selected model and the baseline refit on train + validation (85 %)
// with the chosen settings, and every metric of the refit models on the untouched test block.
// Deterministic: the same rows, plan and seed give the same artefact.
import { EXTRACTORS, POSITIVE, type Row, type Task } from '../tasks.ts';
import { splitBlocks } from '../dataset.ts';
import { applyCalibration, Model, type Calibration, type ModelFile } from '../model.ts';
import { ece, metrics, reliability, type Metrics } from '../metrics.ts';
import { fitLogReg, type Design } from './logreg.ts';
import { fitGbt, prng, type GbtParams } from './gbt.ts';
import { fitIsotonic, fitPlatt } from './calibrate.ts';

export interface Candidate {
  name: string;
  extractor: string;
  kind: 'linear' | 'gbt';
  /** L2 on single features (draft: per-pick weights). */
  lambda?: number;
  /** L2 on pair features (draft synergy `s:` and match-up `c:` terms). */
  lambdaPair?: number;
  /** L2 on hero × context terms (Dota `hr:` hero × region, `hm:` hero × game mode). */
  lambdaCtx?: number;
  /** L2 on context one-hots (Dota `r:` region, `m:` game mode, `t:` lobby type). */
  lambdaOne?: number;
  gbt?: GbtParams;
}

export interface TaskPlan {
  description: string;
  /** Path of the dataset under the shared data folder. */
  file: string;
  baseline: { extractor: string; lambdas: number[] };
  candidates: Candidate[];
}

const lr = (extractor: string, lambdas: number[], lambdaPairs: number[] = [0]): Candidate[] =>
  lambdas.flatMap((lambda) => lambdaPairs.map((lambdaPair) => ({ name: `lr ${extractor} λ=${lambda}${lambdaPair ? ` λpair=${lambdaPair}` : ''}`, extractor, kind: 'linear' as const, lambda, lambdaPair })));

/** The version of the artefacts this code trains (server/models/<task>.v<N>.json). */
export const MODEL_VERSION = 2;

export const PLANS: Record<Task, TaskPlan> = {
  'dota2-draft': {
    description: 'Dota 2 draft win probability (team 1), logistic model over picks, pair synergies and match-ups, and each hero by region and game mode',
    file: 'dota2-draft/dota2Train.csv',
    baseline: { extractor: 'dota-picks', lambdas: [1e-5, 1e-4, 1e-3, 1e-2] },
    candidates: [
      ...lr('dota-pairs', [1e-4], [3e-3, 5e-3]),
      { name: 'lr dota-ctx λ=1e-4 λpair=5e-3 λctx=1e-2 λone=1e-3', extractor: 'dota-ctx', kind: 'linear', lambda: 1e-4, lambdaPair: 5e-3, lambdaCtx: 1e-2, lambdaOne: 1e-3 },
      { name: 'lr dota-ctx λ=1e-4 λpair=5e-3 λctx=3e-2 λone=1e-3', extractor: 'dota-ctx', kind: 'linear', lambda: 1e-4, lambdaPair: 5e-3, lambdaCtx: 3e-2, lambdaOne: 1e-3 },
    ],
  },
  'lol-draft': {
    description: 'LoL draft-only win probability (team 1), logistic model over picks, pair synergies and match-ups',
    file: 'lol/games_cleaned.csv',
    baseline: { extractor: 'lol-picks', lambdas: [1e-4, 1e-3, 1e-2, 3e-2] },
    candidates: [...lr('lol-picks', [3e-3, 1e-2]), ...lr('lol-pairs', [3e-3, 1e-2], [1e-2, 3e-2, 1e-1])],
  },
  'lol-10min': {
    description: 'LoL win probability (blue) from the state at minute 10',
    file: 'lol/high_diamond_ranked_10min.csv',
    baseline: { extractor: 'lol10-raw', lambdas: [1e-4, 1e-3, 1e-2, 1e-1] },
    candidates: [
      ...lr('lol10-eng', [1e-4, 1e-3, 1e-2, 1e-1]),
      { name: 'gbt lol10-eng d2', extractor: 'lol10-eng', kind: 'gbt', gbt: { trees: 300, depth: 2, learningRate: 0.05, lambda: 10, minHessian: 20, subsample: 0.8, seed: 1 } },
    ],
  },
  'cs-round': {
    description: 'CS round win probability (CT) from a round snapshot',
    file: 'csgo/csgo_round_snapshots.csv',
    baseline: { extractor: 'cs-raw', lambdas: [1e-5, 1e-4, 1e-3, 1e-2] },
    candidates: [
      ...lr('cs-eng', [1e-4]),
      { name: 'gbt cs-eng d5', extractor: 'cs-eng', kind: 'gbt', gbt: { trees: 400, depth: 5, learningRate: 0.1, lambda: 10, minHessian: 50, subsample: 0.8, seed: 1 } },
    ],
  },
};

const round = (v: number) => Number(v.toPrecision(6));

function fitLinear(c: Candidate, train: Row[]): ModelFile['linear'] {
  const ex = EXTRACTORS[c.extractor]!;
  const feats = train.map((r) => ex.of(r));
  let names: string[];
  let center: number[] | undefined;
  let scale: number[] | undefined;
  if (ex.dense) {
    names = [...ex.dense];
    const d = names.length;
    center = new Array<number>(d).fill(0);
    scale = new Array<number>(d).fill(0);
    for (const f of feats) for (let j = 0; j < d; j++) center[j]! += f.values[j]!;
    center = center.map((s) => round(s / feats.length));
    for (const f of feats) for (let j = 0; j < d; j++) scale[j]! += (f.values[j]! - center[j]!) ** 2;
    scale = scale.map((s) => round(Math.sqrt(s / feats.length) || 1));
  } else {
    names = [...new Set(feats.flatMap((f) => f.names))].sort();
  }
  const index = new Map(names.map((n, i) => [n, i]));
  let nnz = 0;
  for (const f of feats) nnz += f.names.length;
  const X: Design = { n: feats.length, d: names.length, rowPtr: new Int32Array(feats.length + 1), col: new Int32Array(nnz), val: new Float64Array(nnz), y: Uint8Array.from(train, (r) => r.y) };
  let k = 0;
  feats.forEach((f, i) => {
    for (let j = 0; j < f.names.length; j++) {
      const col = index.get(f.names[j]!)!;
      X.col[k] = col;
      X.val[k++] = center ? (f.values[j]! - center[col]!) / scale![col]! : f.values[j]!;
    }
    X.rowPtr[i + 1] = k;
  });
  const lambda = Float64Array.from(names, (n) =>
    /^[sc]:/.test(n) ? (c.lambdaPair ?? c.lambda ?? 0) : /^h[rm]:/.test(n) ? (c.lambdaCtx ?? c.lambda ?? 0) : /^[rmt]:/.test(n) ? (c.lambdaOne ?? c.lambda ?? 0) : (c.lambda ?? 0),
  );
  const { bias, w } = fitLogReg(X, lambda);
  return { bias: round(bias), features: names, weights: Array.from(w, round), ...(center ? { center, scale } : {}) };
}

/** Trees; with `valid`, as many as give the best validation log-loss (up to c.gbt.trees), else exactly c.gbt.trees. */
function fitTrees(c: Candidate, train: Row[], valid?: Row[]): ModelFile['gbt'] {
  const ex = EXTRACTORS[c.extractor]!;
  const dense = (rows: Row[]) => rows.map((r) => Float64Array.from(ex.of(r).values));
  const res = fitGbt(dense(train), Uint8Array.from(train, (r) => r.y), ex.dense!.length, c.gbt!, valid ? { X: dense(valid), y: Uint8Array.from(valid, (r) => r.y) } : undefined);
  const trees = res.trees.map((t) => ({ f: t.f, t: t.t.map(round), l: t.l, r: t.r, v: t.v.map(round) }));
  return { base: round(res.base), features: [...ex.dense!], trees };
}

function buildModel(task: Task, plan: TaskPlan, c: Candidate, train: Row[], valid?: Row[]): Model {
  const file: ModelFile = {
    format: 'clutch-model/1', task, name: task, version: MODEL_VERSION, description: plan.description, positive: POSITIVE[task], extractor: c.extractor, kind: c.kind,
    ...(c.kind === 'linear' ? { linear: fitLinear(c, train) } : { gbt: fitTrees(c, train, valid) }),
    calibration: { type: 'none' }, training: {},
  };
  return new Model(file);
}

const logits = (m: Model, rows: Row[]) => Float64Array.from(rows, (r) => m.logit(r));
const labels = (rows: Row[]) => Uint8Array.from(rows, (r) => r.y);
const sig = (z: Float64Array) => z.map((v) => 1 / (1 + Math.exp(-v)));
const roundMetrics = (m: Metrics): Metrics => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, k === 'n' ? v : Number(v.toFixed(6))])) as unknown as Metrics;

export interface TrainOptions { seed?: number; source?: Record<string, unknown>; plan?: TaskPlan; log?: (line: string) => void }

export function trainTask(task: Task, rows: Row[], o: TrainOptions = {}): ModelFile {
  const plan = o.plan ?? PLANS[task];
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 1;
  const { train, validation, test } = splitBlocks(rows);
  const yv = labels(validation);
  const yt = labels(test);
  log(`${task}: ${rows.length} rows → train ${train.length}, validation ${validation.length}, test ${test.length}`);

  // Baseline: plain logistic regression, its L2 chosen on the validation block.
  let baseline: { model: Model; val: Metrics; lambda: number } | undefined;
  for (const lambda of plan.baseline.lambdas) {
    const model = buildModel(task, plan, { name: 'baseline', extractor: plan.baseline.extractor, kind: 'linear', lambda }, train, validation);
    const val = metrics(sig(logits(model, validation)), yv);
    log(`  baseline λ=${lambda}: validation ${fmt(val)}`);
    if (!baseline || val.logloss < baseline.val.logloss) baseline = { model, val, lambda };
  }

  // Our candidates, selected by validation log-loss.
  const validationMetrics: Record<string, Metrics> = {};
  let best: { model: Model; val: Metrics; c: Candidate } | undefined;
  for (const c0 of plan.candidates) {
    const c = c0.gbt ? { ...c0, gbt: { ...c0.gbt, seed: c0.gbt.seed ?? seed } } : c0;
    const started = Date.now();
    const model = buildModel(task, plan, c, train, validation);
    const val = metrics(sig(logits(model, validation)), yv);
    validationMetrics[c.name] = roundMetrics(val);
    log(`  ${c.name}${model.file.gbt ? ` (${model.file.gbt.trees.length} trees)` : ''}: validation ${fmt(val)} [${Date.now() - started} ms]`);
    if (!best || val.logloss < best.val.logloss) best = { model, val, c };
  }
  if (!best || !baseline) throw new Error(`${task}: no candidate`);

  // Calibration: Platt on the validation block, kept only when it helps out of sample: fitted on each
  // half of the block and scored on the other, its log-loss must beat the raw model's on both halves
  // together (a plain logistic model is often calibrated already; a map fitted on a small block then
  // only adds noise, the lol-10min case).
  const zv = logits(best.model, validation);
  const platt = fitPlatt(zv, yv);
  const plattHelps = crossFittedPlattGain(zv, yv) > 0;
  const calibration: Calibration = plattHelps ? { type: 'platt', a: round(platt.a), b: round(platt.b) } : { type: 'none' };
  log(`  calibration: ${plattHelps ? `platt a=${calibration.type === 'platt' ? calibration.a : ''}` : 'none (Platt did not help out of sample)'}`);
  const iso = fitIsotonic(sig(zv), yv);

  // The shipped model: the selected candidate refit on train + validation with the same settings (trees:
  // as many as validation chose), the baseline likewise; the test block has seen neither.
  const trainVal = [...train, ...validation];
  const refitC: Candidate = best.model.file.gbt ? { ...best.c, gbt: { ...best.c.gbt!, trees: best.model.file.gbt.trees.length } } : best.c;
  const started = Date.now();
  const shipped = new Model({ ...buildModel(task, plan, refitC, trainVal).file, calibration });
  const baseRefit = buildModel(task, plan, { name: 'baseline', extractor: plan.baseline.extractor, kind: 'linear', lambda: baseline.lambda }, trainVal);
  log(`  refit on train + validation (${trainVal.length} rows) [${Date.now() - started} ms]`);

  const zt = logits(shipped, test);
  const pRaw = sig(zt);
  const pCal = Float64Array.from(test, (r) => shipped.predict(r).probability);
  const isoModel = new Model({ ...shipped.file, calibration: { type: 'isotonic', x: iso.x, y: iso.y } });
  const pIso = Float64Array.from(test, (r) => isoModel.predict(r).probability);
  const pBase = sig(logits(baseRefit, test));
  // The selection fit (train only) on the test block too: what the refit changed.
  const zt70 = logits(best.model, test);
  const p70 = zt70.map((z) => applyCalibration(calibration, z));
  // Blocked 5-fold cross-validation of the recipe (the selected settings and calibration, and the
  // baseline's) over all rows: contiguous folds, out-of-fold predictions pooled, so every row is scored
  // once by a model that never saw it — a far less noisy estimate than the 15 % test block.
  const cvStarted = Date.now();
  const cv = blockedCv(task, plan, refitC, calibration.type === 'platt', { name: 'baseline', extractor: plan.baseline.extractor, kind: 'linear', lambda: baseline.lambda }, rows, seed);
  log(`  blocked 5-fold CV (${rows.length} rows) [${Date.now() - cvStarted} ms]: baseline ${fmt(cv.baseline)}\n    ours ${fmt(cv.ours)}, ECE noise floor ${cv.eceNoiseFloor}`);
  const file: ModelFile = {
    ...shipped.file,
    training: {
      ...o.source,
      seed,
      split: 'contiguous blocks in file order: first 70 % train, next 15 % validation (model selection + calibration), last 15 % test; the shipped model and the baseline refit on train + validation with the settings chosen on validation',
      rows: { total: rows.length, train: train.length, validation: validation.length, test: test.length, shippedFitOn: trainVal.length },
      selected: best.c.name,
      ...(shipped.file.gbt ? { trees: shipped.file.gbt.trees.length } : {}),
      calibration: plattHelps ? 'platt (validation block)' : `none (Platt fitted on the validation block did not help out of sample: a=${round(platt.a)}, b=${round(platt.b)})`,
      baseline: `logistic regression, ${plan.baseline.extractor}, λ=${baseline.lambda}, refit on train + validation`,
      candidates: plan.candidates.map((c) => c.name),
    },
    metrics: {
      validation: validationMetrics,
      test: {
        baseline: roundMetrics(metrics(pBase, yt)),
        raw: roundMetrics(metrics(pRaw, yt)),
        calibrated: roundMetrics(metrics(pCal, yt)),
        isotonic: roundMetrics(metrics(pIso, yt)),
        trainOnly: roundMetrics(metrics(p70, yt)),
        eceNoiseFloor: Number(eceFloor(pCal, seed).toFixed(6)),
        reliability: { baseline: reliability(pBase, yt).map(roundBin), raw: reliability(pRaw, yt).map(roundBin), calibrated: reliability(pCal, yt).map(roundBin) },
      },
      cv: { folds: CV_FOLDS, n: rows.length, baseline: roundMetrics(cv.baseline), ours: roundMetrics(cv.ours), eceNoiseFloor: cv.eceNoiseFloor, reliability: { baseline: reliability(cv.pBase, cv.y).map(roundBin), ours: reliability(cv.pOurs, cv.y).map(roundBin) } },
    },
  };
  log(`  selected ${best.c.name}; test: baseline ${fmt(file.metrics!.test!.baseline)}\n    ours raw ${fmt(file.metrics!.test!.raw)}\n    ours calibrated ${fmt(file.metrics!.test!.calibrated)}\n    ours isotonic ${fmt(file.metrics!.test!.isotonic!)}\n    ours fitted on train only ${fmt(file.metrics!.test!.trainOnly!)}
    ECE noise floor ${file.metrics!.test!.eceNoiseFloor}`);
  return file;
}

const CV_FOLDS = 5;

/**
 * Out-of-fold probabilities of the recipe `c` (Platt, when used, fitted on the other folds' out-of-fold
 * logits) and of the baseline, over contiguous folds of `rows`.
 */
function blockedCv(task: Task, plan: TaskPlan, c: Candidate, platt: boolean, base: Candidate, rows: Row[], seed: number) {
  const n = rows.length;
  const edges = Array.from({ length: CV_FOLDS + 1 }, (_, k) => Math.floor((n * k) / CV_FOLDS));
  const zOurs = new Float64Array(n);
  const zBase = new Float64Array(n);
  for (let k = 0; k < CV_FOLDS; k++) {
    const train = [...rows.slice(0, edges[k]), ...rows.slice(edges[k + 1])];
    const fold = rows.slice(edges[k], edges[k + 1]);
    zOurs.set(logits(buildModel(task, plan, c, train), fold), edges[k]);
    zBase.set(logits(buildModel(task, plan, base, train), fold), edges[k]);
  }
  const y = labels(rows);
  let pOurs = sig(zOurs);
  if (platt) {
    pOurs = new Float64Array(n);
    for (let k = 0; k < CV_FOLDS; k++) {
      const lo = edges[k]!;
      const hi = edges[k + 1]!;
      const zo = Float64Array.from([...zOurs.subarray(0, lo), ...zOurs.subarray(hi)]);
      const yo = Uint8Array.from([...y.subarray(0, lo), ...y.subarray(hi)]);
      const m = fitPlatt(zo, yo);
      for (let i = lo; i < hi; i++) pOurs[i] = applyCalibration({ type: 'platt', ...m }, zOurs[i]!);
    }
  }
  const pBase = sig(zBase);
  return { y, pOurs, pBase, ours: metrics(pOurs, y), baseline: metrics(pBase, y), eceNoiseFloor: Number(eceFloor(pOurs, seed).toFixed(6)) };
}

/** Log-loss of the raw logits minus that of Platt maps cross-fitted on the two halves of the block (> 0: Platt helps). */
export function crossFittedPlattGain(z: Float64Array, y: Uint8Array): number {
  const half = Math.floor(z.length / 2);
  const parts = [
    [0, half],
    [half, z.length],
  ] as const;
  const ll = (p: number, t: number) => -(t ? Math.log(Math.max(p, 1e-15)) : Math.log(Math.max(1 - p, 1e-15)));
  let raw = 0;
  let cal = 0;
  for (const [k, [lo, hi]] of parts.entries()) {
    const [olo, ohi] = parts[1 - k]!;
    const m = fitPlatt(z.subarray(olo, ohi), y.subarray(olo, ohi));
    for (let i = lo; i < hi; i++) {
      raw += ll(applyCalibration({ type: 'none' }, z[i]!), y[i]!);
      cal += ll(applyCalibration({ type: 'platt', ...m }, z[i]!), y[i]!);
    }
  }
  return (raw - cal) / z.length;
}

/** The ECE a perfectly calibrated model would show on this many rows: labels drawn from its own probabilities (mean of 200 draws). */
export function eceFloor(p: Float64Array, seed: number): number {
  const rand = prng(seed);
  const y = new Uint8Array(p.length);
  let s = 0;
  for (let k = 0; k < 200; k++) {
    for (let i = 0; i < p.length; i++) y[i] = rand() < p[i]! ? 1 : 0;
    s += ece(p, y);
  }
  return s / 200;
}

const roundBin = (b: ReturnType<typeof reliability>[number]) => ({ lo: b.lo, hi: b.hi, n: b.n, meanP: Number.isNaN(b.meanP) ? 0 : Number(b.meanP.toFixed(6)), meanY: Number.isNaN(b.meanY) ? 0 : Number(b.meanY.toFixed(6)) });

export const fmt = (m: Metrics) => `acc ${m.accuracy.toFixed(4)} ll ${m.logloss.toFixed(4)} brier ${m.brier.toFixed(4)} auc ${m.auc.toFixed(4)} ece ${m.ece.toFixed(4)}`;
