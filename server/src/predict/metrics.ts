// Metrics of probabilistic binary predictions: accuracy (threshold 0.5), log-loss (natural log,
// probabilities clipped to [1e-15, 1 - 1e-15]), Brier score, ROC AUC (Mann–Whitney, ties count ½)
// and expected calibration error over equal-width bins of p(y = 1) (default 10 bins):
// ECE = Σ_b (n_b / n) · |mean(y)_b − mean(p)_b|.

export interface Metrics { n: number; accuracy: number; logloss: number; brier: number; auc: number; ece: number }
export interface ReliabilityBin { lo: number; hi: number; n: number; meanP: number; meanY: number }

export const ECE_BINS = 10;
const EPS = 1e-15;

export function logloss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - EPS, Math.max(EPS, p[i]!));
    s -= y[i] ? Math.log(q) : Math.log(1 - q);
  }
  return s / p.length;
}

export function brier(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! - y[i]!) ** 2;
  return s / p.length;
}

export function accuracy(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! >= 0.5 ? 1 : 0) === y[i] ? 1 : 0;
  return s / p.length;
}

/** ROC AUC by ranks: the probability that a random positive scores above a random negative (ties ½). */
export function auc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = p.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && p[order[j + 1]!] === p[order[i]!]) j++;
    const rank = (i + j) / 2 + 1; // average 1-based rank of the tie group
    for (let k = i; k <= j; k++) {
      if (y[order[k]!]) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function reliability(p: ArrayLike<number>, y: ArrayLike<number>, bins = ECE_BINS): ReliabilityBin[] {
  const n = new Float64Array(bins);
  const sp = new Float64Array(bins);
  const sy = new Float64Array(bins);
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p[i]! * bins)));
    n[b]!++;
    sp[b]! += p[i]!;
    sy[b]! += y[i]!;
  }
  return Array.from({ length: bins }, (_, b) => ({ lo: b / bins, hi: (b + 1) / bins, n: n[b]!, meanP: n[b] ? sp[b]! / n[b]! : NaN, meanY: n[b] ? sy[b]! / n[b]! : NaN }));
}

export function ece(p: ArrayLike<number>, y: ArrayLike<number>, bins = ECE_BINS): number {
  let s = 0;
  for (const b of reliability(p, y, bins)) if (b.n) s += b.n * Math.abs(b.meanY - b.meanP);
  return s / p.length;
}

export function metrics(p: ArrayLike<number>, y: ArrayLike<number>): Metrics {
  return { n: p.length, accuracy: accuracy(p, y), logloss: logloss(p, y), brier: brier(p, y), auc: auc(p, y), ece: ece(p, y) };
}

/** Collects predictions one at a time (8 + 1 bytes each: files of tens of millions of rows fit). */
export class MetricsAccumulator {
  private p = new Float64Array(1024);
  private y = new Uint8Array(1024);
  n = 0;
  add(p: number, y: 0 | 1): void {
    if (this.n === this.p.length) {
      const p2 = new Float64Array(this.n * 2);
      p2.set(this.p);
      this.p = p2;
      const y2 = new Uint8Array(this.n * 2);
      y2.set(this.y);
      this.y = y2;
    }
    this.p[this.n] = p;
    this.y[this.n++] = y;
  }
  get probabilities(): Float64Array { return this.p.subarray(0, this.n); }
  get labels(): Uint8Array { return this.y.subarray(0, this.n); }
  result(): Metrics { return metrics(this.probabilities, this.labels); }
}
