// Calibration maps fitted on the validation block: Platt (p = σ(a·logit + b), by Newton's method)
// and isotonic regression (pool-adjacent-violators on the predicted probabilities).
const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function fitPlatt(z: ArrayLike<number>, y: ArrayLike<number>): { a: number; b: number } {
  let a = 1;
  let b = 0;
  for (let it = 0; it < 100; it++) {
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (let i = 0; i < z.length; i++) {
      const p = sigmoid(a * z[i]! + b);
      const r = p - y[i]!;
      const w = Math.max(p * (1 - p), 1e-12);
      ga += r * z[i]!;
      gb += r;
      haa += w * z[i]! * z[i]!;
      hab += w * z[i]!;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-12) break;
  }
  return { a, b };
}

export function fitIsotonic(p: ArrayLike<number>, y: ArrayLike<number>): { x: number[]; y: number[] } {
  const order = Array.from({ length: p.length }, (_, i) => i).sort((i, j) => p[i]! - p[j]! || i - j);
  const blocks: Array<{ sp: number; sy: number; n: number }> = [];
  for (const i of order) {
    blocks.push({ sp: p[i]!, sy: y[i]!, n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1]!;
      const a = blocks[blocks.length - 2]!;
      if (a.sy / a.n < b.sy / b.n) break;
      a.sp += b.sp;
      a.sy += b.sy;
      a.n += b.n;
      blocks.pop();
    }
  }
  return { x: blocks.map((b) => b.sp / b.n), y: blocks.map((b) => b.sy / b.n) };
}
