// A trained model (server/models/<task>.v<N>.json) and its inference: a logistic model over named
// features, or gradient-boosted trees, followed by a calibration map. Every prediction can be
// explained: per-input contributions to the model's logit that, with the bias, sum to it exactly
// (linear: weight × centred, scaled value; trees: the change of node value along each path).
import { EXTRACTORS, type Extractor, type Row, type Task } from './tasks.ts';
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
  /** Expected ECE of a perfectly calibrated model on a test block of this size (sampling noise alone). */
  eceNoiseFloor?: number;
  reliability?: { baseline: ReliabilityBin[]; raw: ReliabilityBin[]; calibrated: ReliabilityBin[] };
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
  metrics?: { validation?: Record<string, Metrics>; test?: EvalReport };
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

  readonly file: ModelFile;

  constructor(file: ModelFile) {
    this.file = file;
    const ex = EXTRACTORS[file.extractor];
    if (!ex) throw new Error(`model ${file.name}: unknown extractor ${file.extractor}`);
    this.extractor = ex;
    const names = file.kind === 'linear' ? file.linear!.features : file.gbt!.features;
    this.index = new Map(names.map((n, i) => [n, i]));
    if (ex.dense) {
      const pos = new Map(ex.dense.map((n, i) => [n, i]));
      this.denseMap = Int32Array.from(names, (n) => {
        const i = pos.get(n);
        if (i === undefined) throw new Error(`model ${file.name}: feature ${n} is not produced by ${file.extractor}`);
        return i;
      });
    }
  }

  get task(): Task { return this.file.task; }

  /** Logit before calibration. */
  logit(row: Row): number {
    const f = this.extractor.of(row);
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
    const g = this.file.gbt!;
    const x = this.denseValues(f.values);
    let z = g.base;
    for (const t of g.trees) {
      let i = 0;
      while (t.l[i]! >= 0) i = x[t.f[i]!]! <= t.t[i]! ? t.l[i]! : t.r[i]!;
      z += t.v[i]!;
    }
    return z;
  }

  private denseValues(values: number[]): Float64Array {
    const map = this.denseMap!;
    const x = new Float64Array(map.length);
    for (let i = 0; i < map.length; i++) x[i] = values[map[i]!]!;
    return x;
  }

  predict(row: Row): Prediction {
    const logit = this.logit(row);
    return { logit, probability: applyCalibration(this.file.calibration, logit) };
  }

  /** The prediction with every input's contribution to the logit; `top` limits the list (the rest is summed). */
  explain(row: Row, top = Infinity): Explanation {
    const f = this.extractor.of(row);
    const contrib = new Map<string, { value: number; c: number }>();
    let bias: number;
    if (this.file.kind === 'linear') {
      const m = this.file.linear!;
      bias = m.bias;
      if (this.denseMap) {
        m.weights.forEach((w, i) => {
          const v = f.values[this.denseMap![i]!]!;
          contrib.set(m.features[i]!, { value: v, c: w * ((v - m.center![i]!) / m.scale![i]!) });
        });
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
      const acc = new Float64Array(g.features.length);
      bias = g.base;
      for (const t of g.trees) {
        let i = 0;
        bias += t.v[0]!;
        while (t.l[i]! >= 0) {
          const j = x[t.f[i]!]! <= t.t[i]! ? t.l[i]! : t.r[i]!;
          acc[t.f[i]!]! += t.v[j]! - t.v[i]!;
          i = j;
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
    const before = (i: number, j: number) => {
      const a = Math.abs(acc[i]!);
      const b = Math.abs(acc[j]!);
      return a > b || (a === b && names[i]! < names[j]!);
    };
    const picked: number[] = [];
    const taken = new Uint8Array(names.length);
    for (let k = 0; k < top; k++) {
      let best = -1;
      for (let i = 0; i < names.length; i++) if (!taken[i] && (best < 0 || before(i, best))) best = i;
      taken[best] = 1;
      picked.push(best);
    }
    let sum = 0;
    let rest = 0;
    for (let i = 0; i < names.length; i++) {
      sum += acc[i]!;
      if (!taken[i]) rest += acc[i]!;
    }
    const logit = bias + sum;
    const contributions = picked.map((i) => ({ feature: names[i]!, label: this.extractor.label(names[i]!), value: x[i]!, contribution: acc[i]! }));
    return { logit, probability: applyCalibration(this.file.calibration, logit), bias, contributions, rest };
  }
}
