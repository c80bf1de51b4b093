// A trained model (server/models/<task>.v<N>.json) and its inference: a logistic model over named
// features, or gradient-boosted trees, followed by a calibration map. Every prediction can be
// explained: per-input contributions to the model's logit that, with the bias, sum to it exactly
// (linear: weight × centred, scaled value; trees: the change of node value along each path).
import { EXTRACTORS, type Extractor, type Feats, type Row, type Task } from './tasks.ts';
import type { Metrics, ReliabilityBin } from './metrics.ts';

export interface LinearPart {
  bias: number;
  features: string[];
  weights: number[];
  /** Dense models: the training mean and standard deviation of each feature (x - center) / scale. */
  center?: number[];
  scale?: number[];
}

/** A regression tree in arrays: node i splits on features[f[i]] <= t[i] → l[i], else r[i]; leaf when l[i] < 0. v = node value. */
export interface Tree { f: number[]; t: number[]; l: number[]; r: number[]; v: number[] }
export interface GbtPart { base: number; features: string[]; trees: Tree[] }

export type Calibration = { type: 'none' } | { type: 'platt'; a: number; b: number } | { type: 'isotonic'; x: number[]; y: number[] };

export interface EvalReport {
  baseline: Metrics;
  raw: Metrics;
  calibrated: Metrics;
  isotonic?: Metrics;
  /** The selected model as fitted on the train block alone (before the refit on train + validation), calibrated the same way. */
  trainOnly?: Metrics;
  /** Expected ECE of a perfectly calibrated model on a test block of this size (sampling noise alone). */
  eceNoiseFloor?: number;
  reliability?: { baseline: ReliabilityBin[]; raw: ReliabilityBin[]; calibrated: ReliabilityBin[] };
}

/** Blocked k-fold cross-validation of the training recipe over all rows (out-of-fold predictions pooled). */
export interface CvReport {
  folds: number;
  n: number;
  baseline: Metrics;
  ours: Metrics;
  eceNoiseFloor: number;
  reliability?: { baseline: ReliabilityBin[]; ours: ReliabilityBin[] };
}

export interface ModelFile {
  format: 'clutch-model/1';
  task: Task;
  name: string;
  version: number;
  description: string;
  /** What probability the model gives. */
  positive: string;
  extractor: string;
  kind: 'linear' | 'gbt';
  linear?: LinearPart;
  gbt?: GbtPart;
  calibration: Calibration;
  training: Record<string, unknown>;
  metrics?: { validation?: Record<string, Metrics>; test?: EvalReport; cv?: CvReport };
}

export interface Contribution { feature: string; label: string; value: number; contribution: number }
export interface Prediction {
  /** Calibrated probability of the positive outcome (see ModelFile.positive). */
  probability: number;
  /** The model's logit before calibration = bias + Σ contributions. */
  logit: number;
}
export interface Explanation extends Prediction {
  bias: number;
  /** Sorted by |contribution|, largest first. */
  contributions: Contribution[];
  /** Contributions not listed (when limited to the top ones), summed. */
  rest: number;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function applyCalibration(c: Calibration, logit: number): number {
  if (c.type === 'platt') return sigmoid(c.a * logit + c.b);
  const p = sigmoid(logit);
  if (c.type === 'none') return p;
  // Isotonic: piecewise linear through (x, y) points, flat outside.
  const { x, y } = c;
  if (p <= x[0]!) return y[0]!;
  if (p >= x[x.length - 1]!) return y[y.length - 1]!;
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= p) lo = mid;
    else hi = mid;
  }
  const w = x[hi] === x[lo] ? 0 : (p - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + w * (y[hi]! - y[lo]!);
}

export class Model {
  readonly extractor: Extractor;
  private readonly index: Map<string, number>;
  private readonly denseMap?: Int32Array; // model feature i ← extractor value denseMap[i]
  /** Trees packed into typed arrays, nodes of tree k from roots[k]; child indexes are absolute (−1: leaf). */
  private readonly packed?: { roots: Int32Array; f: Int32Array; t: Float64Array; l: Int32Array; r: Int32Array; v: Float64Array; dv: Float64Array };
  /** The extractor's dense values are already in the model's feature order (no copy needed). */
  private readonly identity: boolean = false;
  /** Scratch buffers of dense inference (one model is used by one thread at a time, synchronously). */
  private readonly scratch?: { values: Float64Array; x: Float64Array; acc: Float64Array };

  readonly file: ModelFile;

  constructor(file: ModelFile) {
    this.file = file;
    const ex = EXTRACTORS[file.extractor];
    if (!ex) throw new Error(`model ${file.name}: unknown extractor ${file.extractor}`);
    this.extractor = ex;
    const names = file.kind === 'linear' ? file.linear!.features : file.gbt!.features;
    this.index = new Map(names.map((n, i) => [n, i]));
    if (ex.dense) {
      this.identity = names.length === ex.dense.length && names.every((n, i) => ex.dense![i] === n);
      this.scratch = { values: new Float64Array(ex.dense.length), x: new Float64Array(names.length), acc: new Float64Array(names.length) };
      const pos = new Map(ex.dense.map((n, i) => [n, i]));
      this.denseMap = Int32Array.from(names, (n) => {
        const i = pos.get(n);
        if (i === undefined) throw new Error(`model ${file.name}: feature ${n} is not produced by ${file.extractor}`);
        return i;
      });
    }
    if (file.kind === 'gbt') {
      const trees = file.gbt!.trees;
      const n = trees.reduce((a, t) => a + t.f.length, 0);
      // dv: a node's value minus its parent's (Saabas contributions without a second load per step).
      const p = { roots: new Int32Array(trees.length), f: new Int32Array(n), t: new Float64Array(n), l: new Int32Array(n), r: new Int32Array(n), v: new Float64Array(n), dv: new Float64Array(n) };
      let at = 0;
      trees.forEach((tr, k) => {
        p.roots[k] = at;
        for (let i = 0; i < tr.f.length; i++) {
          p.f[at + i] = tr.f[i]!;
          p.t[at + i] = tr.t[i]!;
          p.l[at + i] = tr.l[i]! >= 0 ? at + tr.l[i]! : -1;
          p.r[at + i] = tr.r[i]! >= 0 ? at + tr.r[i]! : -1;
          p.v[at + i] = tr.v[i]!;
          if (tr.l[i]! >= 0) {
            p.dv[at + tr.l[i]!] = tr.v[tr.l[i]!]! - tr.v[i]!;
            p.dv[at + tr.r[i]!] = tr.v[tr.r[i]!]! - tr.v[i]!;
          }
        }
        at += tr.f.length;
      });
      this.packed = p;
    }
  }

  get task(): Task { return this.file.task; }

  /** Logit before calibration. */
  logit(row: Row): number {
    const f = this.features(row);
    if (this.file.kind === 'linear') {
      const m = this.file.linear!;
      let z = m.bias;
      if (this.denseMap) {
        for (let i = 0; i < m.weights.length; i++) z += m.weights[i]! * ((f.values[this.denseMap[i]!]! - m.center![i]!) / m.scale![i]!);
      } else {
        for (let k = 0; k < f.names.length; k++) {
          const i = this.index.get(f.names[k]!);
          if (i !== undefined) z += m.weights[i]! * f.values[k]!;
        }
      }
      return z;
    }
    const x = this.denseValues(f.values);
    const p = this.packed!;
    let z = this.file.gbt!.base;
    for (let k = 0; k < p.roots.length; k++) {
      let i = p.roots[k]!;
      while (p.l[i]! >= 0) i = x[p.f[i]!]! <= p.t[i]! ? p.l[i]! : p.r[i]!;
      z += p.v[i]!;
    }
    return z;
  }

  /** The extractor's values of a dense model: into scratch when the extractor can write there. */
  private features(row: Row): Feats {
    const ex = this.extractor;
    return ex.into && this.scratch ? { names: ex.dense!, values: ex.into(row, this.scratch.values) } : ex.of(row);
  }

  private denseValues(values: ArrayLike<number>): ArrayLike<number> {
    if (this.identity) return values;
    const map = this.denseMap!;
    const x = this.scratch!.x;
    for (let i = 0; i < map.length; i++) x[i] = values[map[i]!]!;
    return x;
  }

  predict(row: Row): Prediction {
    const logit = this.logit(row);
    return { logit, probability: applyCalibration(this.file.calibration, logit) };
  }

  /** The prediction with every input's contribution to the logit; `top` limits the list (the rest is summed). */
  explain(row: Row, top = Infinity): Explanation {
    const f = this.features(row);
    const contrib = new Map<string, { value: number; c: number }>();
    let bias: number;
    if (this.file.kind === 'linear') {
      const m = this.file.linear!;
      bias = m.bias;
      if (this.denseMap) {
        const x = this.denseValues(f.values);
        const acc = this.scratch!.acc;
        for (let i = 0; i < x.length; i++) acc[i] = m.weights[i]! * ((x[i]! - m.center![i]!) / m.scale![i]!);
        if (top < x.length) return this.#topOf(m.features, x, acc, bias, top);
        m.features.forEach((n, i) => contrib.set(n, { value: x[i]!, c: acc[i]! }));
      } else {
        f.names.forEach((n, k) => {
          const i = this.index.get(n);
          if (i !== undefined) contrib.set(n, { value: f.values[k]!, c: m.weights[i]! * f.values[k]! });
        });
      }
    } else {
      // Saabas: each split's change of node value goes to its feature; the roots' values to the bias.
      const g = this.file.gbt!;
      const x = this.denseValues(f.values);
      const acc = this.scratch!.acc.fill(0);
      const p = this.packed!;
      bias = g.base;
      for (let k = 0; k < p.roots.length; k++) {
        let i = p.roots[k]!;
        bias += p.v[i]!;
        while (p.l[i]! >= 0) {
          const f = p.f[i]!;
          i = x[f]! <= p.t[i]! ? p.l[i]! : p.r[i]!;
          acc[f]! += p.dv[i]!;
        }
      }
      if (top < g.features.length) return this.#topOf(g.features, x, acc, bias, top);
      g.features.forEach((n, i) => contrib.set(n, { value: x[i]!, c: acc[i]! }));
    }
    const all = [...contrib].map(([feature, { value, c }]) => ({ feature, label: this.extractor.label(feature), value, contribution: c }));
    all.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || (a.feature < b.feature ? -1 : 1));
    const logit = bias + all.reduce((s, c) => s + c.contribution, 0);
    const shown = all.slice(0, top);
    const rest = all.slice(shown.length).reduce((s, c) => s + c.contribution, 0);
    return { logit, probability: applyCalibration(this.file.calibration, logit), bias, contributions: shown, rest };
  }

  /**
   * The same answer as the general path for a dense model limited to its `top` inputs, without building
   * and sorting an object per feature (the live path explains on every relevant event): the top ones are
   * picked by the same order (|contribution| descending, then name).
   */
  #topOf(names: readonly string[], x: ArrayLike<number>, acc: ArrayLike<number>, bias: number, top: number): Explanation {
    // One pass keeping the best `top` in order (insertion into a short list).
    const picked: number[] = [];
    let sum = 0;
    for (let i = 0; i < names.length; i++) {
      const c = acc[i]!;
      sum += c;
      const a = Math.abs(c);
      let at = picked.length;
      while (at > 0) {
        const b = Math.abs(acc[picked[at - 1]!]!);
        if (a > b || (a === b && names[i]! < names[picked[at - 1]!]!)) at--;
        else break;
      }
      if (at < top) {
        picked.splice(at, 0, i);
        if (picked.length > top) picked.pop();
      }
    }
    let shown = 0;
    for (const i of picked) shown += acc[i]!;
    const logit = bias + sum;
    const contributions = picked.map((i) => ({ feature: names[i]!, label: this.extractor.label(names[i]!), value: x[i]!, contribution: acc[i]! }));
    return { logit, probability: applyCalibration(this.file.calibration, logit), bias, contributions, rest: sum - shown };
  }

}
