// Small gradient-boosted trees for the logistic loss (Newton steps, histogram splits on at most 64
// quantile bins per feature, depth-wise growth, optional row subsampling from a seeded PRNG).
// Deterministic for a given seed.
import type { Tree } from '../model.ts';
import { mulberry32 } from '@clutch/core';

export interface GbtParams { trees: number; depth: number; learningRate: number; lambda: number; minHessian: number; bins?: number; /** fraction of rows per tree, drawn with `seed` */ subsample?: number; seed?: number }

/** A seeded PRNG (mulberry32, @clutch/core), so that training with the same seed gives the same trees. */
export const prng = mulberry32;

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Split thresholds per feature: midpoints between bin edges of the training values. */
function thresholds(col: Float64Array, maxBins: number): number[] {
  const sorted = Float64Array.from(col).sort();
  const uniq: number[] = [];
  for (const v of sorted) if (uniq.length === 0 || uniq[uniq.length - 1] !== v) uniq.push(v);
  if (uniq.length <= maxBins) return uniq.slice(0, -1).map((v, i) => (v + uniq[i + 1]!) / 2);
  const out: number[] = [];
  for (let b = 1; b < maxBins; b++) {
    const v = sorted[Math.floor((b * sorted.length) / maxBins)]!;
    // threshold just below v, between v and the previous distinct value
    const k = uniq.indexOf(v);
    if (k > 0) {
      const t = (uniq[k - 1]! + v) / 2;
      if (out.length === 0 || out[out.length - 1]! < t) out.push(t);
    }
  }
  return out;
}

export interface GbtResult { base: number; trees: Tree[]; /** validation log-loss after each tree */ curve: number[] }

/** X: row-major values (n × d). Stops at the number of trees with the best validation log-loss. */
export function fitGbt(X: Float64Array[], y: Uint8Array, d: number, p: GbtParams, valid?: { X: Float64Array[]; y: Uint8Array }): GbtResult {
  const n = X.length;
  const maxBins = p.bins ?? 64;
  const thr: number[][] = [];
  const bins = new Uint8Array(n * d); // column-major
  for (let f = 0; f < d; f++) {
    const col = Float64Array.from(X, (r) => r[f]!);
    const t = thresholds(col, maxBins);
    thr.push(t);
    for (let i = 0; i < n; i++) {
      let lo = 0;
      let hi = t.length; // bin = number of thresholds < value
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (col[i]! > t[mid]!) lo = mid + 1;
        else hi = mid;
      }
      bins[f * n + i] = lo;
    }
  }
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const base = Math.log(mean / (1 - mean));
  const z = new Float64Array(n).fill(base);
  const zv = valid ? new Float64Array(valid.X.length).fill(base) : undefined;
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const trees: Tree[] = [];
  const curve: number[] = [];
  const idx = new Uint32Array(n);
  const B = maxBins;
  const rand = prng(p.seed ?? 1);
  for (let t = 0; t < p.trees; t++) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const q = sigmoid(z[i]!);
      g[i] = q - y[i]!;
      h[i] = Math.max(q * (1 - q), 1e-12);
      if (p.subsample === undefined || rand() < p.subsample) idx[m++] = i;
    }
    const tree: Tree = { f: [], t: [], l: [], r: [], v: [] };
    // Nodes: [start, end) ranges of idx, grown level by level.
    type Node = { id: number; start: number; end: number; G: number; H: number; depth: number; hg?: Float64Array; hh?: Float64Array };
    let G0 = 0;
    let H0 = 0;
    for (let k = 0; k < m; k++) {
      G0 += g[idx[k]!]!;
      H0 += h[idx[k]!]!;
    }
    const newNode = (G: number, H: number) => {
      tree.f.push(-1);
      tree.t.push(0);
      tree.l.push(-1);
      tree.r.push(-1);
      tree.v.push((-G / (H + p.lambda)) * p.learningRate);
      return tree.f.length - 1;
    };
    const histogram = (start: number, end: number) => {
      const hg = new Float64Array(d * B);
      const hh = new Float64Array(d * B);
      for (let f = 0; f < d; f++) {
        const off = f * n;
        const ho = f * B;
        for (let k = start; k < end; k++) {
          const i = idx[k]!;
          const b = ho + bins[off + i]!;
          hg[b]! += g[i]!;
          hh[b]! += h[i]!;
        }
      }
      return { hg, hh };
    };
    const queue: Node[] = [{ id: newNode(G0, H0), start: 0, end: m, G: G0, H: H0, depth: 0 }];
    while (queue.length) {
      const node = queue.shift()!;
      if (node.depth >= p.depth || node.H < 2 * p.minHessian) continue;
      const { hg, hh } = node.hg ? { hg: node.hg, hh: node.hh! } : histogram(node.start, node.end);
      const parentScore = (node.G * node.G) / (node.H + p.lambda);
      let best = 1e-9;
      let bf = -1;
      let bb = -1;
      for (let f = 0; f < d; f++) {
        let GL = 0;
        let HL = 0;
        const nt = thr[f]!.length;
        for (let b = 0; b < nt; b++) {
          GL += hg[f * B + b]!;
          HL += hh[f * B + b]!;
          const GR = node.G - GL;
          const HR = node.H - HL;
          if (HL < p.minHessian || HR < p.minHessian) continue;
          const gain = (GL * GL) / (HL + p.lambda) + (GR * GR) / (HR + p.lambda) - parentScore;
          if (gain > best) {
            best = gain;
            bf = f;
            bb = b;
          }
        }
      }
      if (bf < 0) continue;
      // Partition idx[start, end) by bin <= bb.
      let a = node.start;
      let e = node.end - 1;
      const off = bf * n;
      while (a <= e) {
        if (bins[off + idx[a]!]! <= bb) a++;
        else {
          const tmp = idx[a]!;
          idx[a] = idx[e]!;
          idx[e--] = tmp;
        }
      }
      let GL = 0;
      let HL = 0;
      for (let k = node.start; k < a; k++) {
        GL += g[idx[k]!]!;
        HL += h[idx[k]!]!;
      }
      tree.f[node.id] = bf;
      tree.t[node.id] = thr[bf]![bb]!;
      const L = newNode(GL, HL);
      const R = newNode(node.G - GL, node.H - HL);
      tree.l[node.id] = L;
      tree.r[node.id] = R;
      const left: Node = { id: L, start: node.start, end: a, G: GL, H: HL, depth: node.depth + 1 };
      const right: Node = { id: R, start: a, end: node.end, G: node.G - GL, H: node.H - HL, depth: node.depth + 1 };
      if (node.depth + 1 < p.depth) {
        // Histogram of the smaller child; the larger one's is the parent's minus it.
        const [small, large] = a - node.start <= node.end - a ? [left, right] : [right, left];
        const sh = histogram(small.start, small.end);
        small.hg = sh.hg;
        small.hh = sh.hh;
        large.hg = hg.map((v, i) => v - sh.hg[i]!);
        large.hh = hh.map((v, i) => v - sh.hh[i]!);
      }
      queue.push(left, right);
    }
    const leafOf = (x: Float64Array) => {
      let i = 0;
      while (tree.l[i]! >= 0) i = x[tree.f[i]!]! <= tree.t[i]! ? tree.l[i]! : tree.r[i]!;
      return tree.v[i]!;
    };
    for (let i = 0; i < n; i++) z[i]! += leafOf(X[i]!);
    trees.push(tree);
    if (valid && zv) {
      let ll = 0;
      for (let i = 0; i < valid.X.length; i++) {
        zv[i]! += leafOf(valid.X[i]!);
        const q = Math.min(1 - 1e-15, Math.max(1e-15, sigmoid(zv[i]!)));
        ll -= valid.y[i] ? Math.log(q) : Math.log(1 - q);
      }
      curve.push(ll / valid.X.length);
    }
  }
  if (curve.length) {
    let bestT = 0;
    for (let t = 1; t < curve.length; t++) if (curve[t]! < curve[bestT]!) bestT = t;
    trees.length = bestT + 1;
  }
  return { base, trees, curve };
}
