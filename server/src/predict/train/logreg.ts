// L2-regularised logistic regression on a sparse design (CSR), fitted by L-BFGS: deterministic
// (no sampling), so the same data and settings always give the same weights.
export interface Design { n: number; d: number; rowPtr: Int32Array; col: Int32Array; val: Float64Array; y: Uint8Array }

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function scores(X: Design, bias: number, w: ArrayLike<number>): Float64Array {
  const z = new Float64Array(X.n);
  for (let i = 0; i < X.n; i++) {
    let s = bias;
    for (let k = X.rowPtr[i]!; k < X.rowPtr[i + 1]!; k++) s += w[X.col[k]!]! * X.val[k]!;
    z[i] = s;
  }
  return z;
}

/** θ = [bias, w_0 … w_{d-1}]; objective = mean log-loss + ½ Σ λ_j w_j² (the bias is not penalised). */
function objective(X: Design, lambda: Float64Array, theta: Float64Array, grad: Float64Array): number {
  const w = theta.subarray(1);
  const z = scores(X, theta[0]!, w);
  grad.fill(0);
  let f = 0;
  for (let i = 0; i < X.n; i++) {
    const zi = z[i]!;
    // log(1 + e^z) − y z, stably
    f += (zi > 0 ? zi + Math.log1p(Math.exp(-zi)) : Math.log1p(Math.exp(zi))) - (X.y[i] ? zi : 0);
    const r = sigmoid(zi) - X.y[i]!;
    grad[0]! += r;
    for (let k = X.rowPtr[i]!; k < X.rowPtr[i + 1]!; k++) grad[1 + X.col[k]!]! += r * X.val[k]!;
  }
  f /= X.n;
  for (let j = 0; j < grad.length; j++) grad[j]! /= X.n;
  for (let j = 0; j < X.d; j++) {
    f += 0.5 * lambda[j]! * w[j]! ** 2;
    grad[1 + j]! += lambda[j]! * w[j]!;
  }
  return f;
}

export function lbfgs(f: (x: Float64Array, g: Float64Array) => number, x0: Float64Array, o: { maxIter?: number; m?: number; tol?: number } = {}): Float64Array {
  const maxIter = o.maxIter ?? 300;
  const m = o.m ?? 10;
  const tol = o.tol ?? 1e-7;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx = f(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const dot = (a: Float64Array, b: Float64Array) => { let s = 0; for (let i = 0; i < n; i++) s += a[i]! * b[i]!; return s; };
  for (let it = 0; it < maxIter; it++) {
    const gnorm = Math.sqrt(dot(g, g));
    if (gnorm < tol) break;
    // Two-loop recursion: d = −H g.
    const q = Float64Array.from(g);
    const alpha: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) {
      const a = rho[k]! * dot(S[k]!, q);
      alpha[k] = a;
      for (let i = 0; i < n; i++) q[i]! -= a * Y[k]![i]!;
    }
    const gamma = S.length ? dot(S[S.length - 1]!, Y[Y.length - 1]!) / dot(Y[Y.length - 1]!, Y[Y.length - 1]!) : 1 / gnorm;
    for (let i = 0; i < n; i++) q[i]! *= gamma;
    for (let k = 0; k < S.length; k++) {
      const b = rho[k]! * dot(Y[k]!, q);
      for (let i = 0; i < n; i++) q[i]! += S[k]![i]! * (alpha[k]! - b);
    }
    for (let i = 0; i < n; i++) q[i] = -q[i]!;
    let gd = dot(g, q);
    if (gd >= 0) { for (let i = 0; i < n; i++) q[i] = -g[i]! / gnorm; gd = dot(g, q); S.length = Y.length = rho.length = 0; }
    // Backtracking (Armijo).
    let step = 1;
    const xn = new Float64Array(n);
    const gn = new Float64Array(n);
    let fn = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xn[i] = x[i]! + step * q[i]!;
      fn = f(xn, gn);
      if (fn <= fx + 1e-4 * step * gd) break;
      step *= 0.5;
    }
    if (!(fn < fx)) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xn[i]! - x[i]!;
      y[i] = gn[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    const rel = (fx - fn) / Math.max(1, Math.abs(fx));
    x = xn;
    g = gn;
    fx = fn;
    if (rel < 1e-10) break;
  }
  return x;
}

export function fitLogReg(X: Design, lambda: Float64Array, o: { maxIter?: number } = {}): { bias: number; w: Float64Array } {
  const theta = lbfgs((t, g) => objective(X, lambda, t, g), new Float64Array(X.d + 1), { maxIter: o.maxIter ?? 300 });
  return { bias: theta[0]!, w: theta.slice(1) };
}
