// Metrics and calibration maps against values computed by hand.
import { describe, expect, it } from 'vitest';
import { accuracy, auc, brier, ece, logloss, metrics, MetricsAccumulator, reliability } from '../../../src/predict/metrics.ts';
import { fitIsotonic, fitPlatt } from '../../../src/predict/train/calibrate.ts';
import { applyCalibration } from '../../../src/predict/model.ts';

const p = [0.1, 0.4, 0.35, 0.8];
const y = [0, 0, 1, 1];

describe('metrics', () => {
  it('accuracy at 0.5', () => {
    expect(accuracy(p, y)).toBe(0.75);
    expect(accuracy([0.5, 0.49], [1, 0])).toBe(1); // 0.5 counts as a positive prediction
  });

  it('log-loss: mean of −ln p(true label)', () => {
    // −(ln 0.9 + ln 0.6 + ln 0.35 + ln 0.8) / 4
    expect(logloss(p, y)).toBeCloseTo(0.472287954, 8);
    expect(logloss([0], [1])).toBeCloseTo(-Math.log(1e-15), 6); // clipped, finite
    expect(Number.isFinite(logloss([1], [0]))).toBe(true);
  });

  it('Brier: mean squared error of the probability', () => {
    expect(brier(p, y)).toBeCloseTo((0.01 + 0.16 + 0.4225 + 0.04) / 4, 12);
  });

  it('AUC: fraction of (positive, negative) pairs ordered right, ties ½', () => {
    // pairs: (0.35 vs 0.1 ✓) (0.35 vs 0.4 ✗) (0.8 vs 0.1 ✓) (0.8 vs 0.4 ✓) → 3/4
    expect(auc(p, y)).toBe(0.75);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(auc([0.2, 0.3, 0.3, 0.9], [0, 0, 1, 1])).toBe((1 + 0.5 + 1 + 1) / 4);
    expect(auc([0.1, 0.2], [1, 1])).toBeNaN();
  });

  it('ECE over 10 equal-width bins of p(y = 1)', () => {
    // one prediction per bin: (|0 − .1| + |0 − .4| + |1 − .35| + |1 − .8|) / 4
    expect(ece(p, y)).toBeCloseTo(0.3375, 12);
    // 5 bins; two in [0, 0.2): mean p 0.125, mean y 0.5 → |0.5 − 0.125| · 2/3; 0.95 alone, y 1 → 0.05 · 1/3
    expect(ece([0.1, 0.15, 0.95], [0, 1, 1], 5)).toBeCloseTo((0.375 * 2) / 3 + 0.05 / 3, 12);
    expect(ece([1, 0], [1, 0])).toBe(0); // p = 1 falls in the last bin
    const bins = reliability(p, y);
    expect(bins).toHaveLength(10);
    expect(bins[3]).toMatchObject({ n: 1, meanP: 0.35, meanY: 1 });
  });

  it('the accumulator gives the same numbers as the array functions, past its initial capacity', () => {
    const acc = new MetricsAccumulator();
    const pp: number[] = [];
    const yy: Array<0 | 1> = [];
    for (let i = 0; i < 3000; i++) {
      const q = ((i * 7919) % 1000) / 1000;
      const l = (i * 31) % 3 === 0 ? 1 : 0;
      pp.push(q);
      yy.push(l);
      acc.add(q, l);
    }
    expect(acc.result()).toEqual(metrics(pp, yy));
  });
});

describe('calibration', () => {
  it('Platt recovers a known scale and shift', () => {
    // labels drawn deterministically at the frequencies σ(2z − 0.5)
    const z: number[] = [];
    const l: number[] = [];
    for (let k = -30; k <= 30; k++) {
      const q = 1 / (1 + Math.exp(-(2 * (k / 10) - 0.5)));
      for (let j = 0; j < 200; j++) {
        z.push(k / 10);
        l.push(j < Math.round(q * 200) ? 1 : 0);
      }
    }
    const { a, b } = fitPlatt(z, l);
    expect(a).toBeCloseTo(2, 1);
    expect(b).toBeCloseTo(-0.5, 1);
    expect(applyCalibration({ type: 'platt', a, b }, 0.25)).toBeCloseTo(0.5, 1);
  });

  it('isotonic regression is monotone and pools violators', () => {
    const iso = fitIsotonic([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
    expect(iso.y).toEqual([0, 0.5, 1]);
    expect(iso.x).toEqual([0.1, 0.25, 0.4]);
    const cal = { type: 'isotonic' as const, ...iso };
    // p = σ(0) = 0.5 lies between x = 0.4 (y 1) … past the end → 1; σ(−3) ≈ 0.047 before the start → 0
    expect(applyCalibration(cal, 0)).toBe(1);
    expect(applyCalibration(cal, -3)).toBe(0);
  });
});
