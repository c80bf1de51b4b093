// A reliability diagram as a small self-contained SVG: mean predicted probability vs observed
// frequency per bin on the test block, for the baseline, our model before and after calibration, and
// our recipe's out-of-fold predictions of the blocked 5-fold cross-validation over all rows.
import type { ModelFile } from '../model.ts';
import type { ReliabilityBin } from '../metrics.ts';

export function reliabilitySvg(title: string, m: ModelFile): string {
  const t = m.metrics?.test;
  if (!t?.reliability) return '';
  const W = 420;
  const P = 50;
  const S = W - 2 * P;
  const x = (p: number) => (P + p * S).toFixed(1);
  const y = (p: number) => (W - P - p * S).toFixed(1);
  const cv = m.metrics?.cv;
  const series: Array<[string, string, ReliabilityBin[], number, number]> = [
    ['baseline (LR), test', '#e67e22', t.reliability.baseline, t.baseline.ece, t.baseline.n],
    ...(m.calibration.type === 'none' ? [] : [['ours, raw, test', '#95a5a6', t.reliability.raw, t.raw.ece, t.raw.n] as [string, string, ReliabilityBin[], number, number]]),
    [`ours, shipped (calibration: ${m.calibration.type}), test`, '#2165b6', t.reliability.calibrated, t.calibrated.ece, t.calibrated.n],
    ...(cv?.reliability ? [[`ours, blocked ${cv.folds}-fold CV (n=${cv.n})`, '#27ae60', cv.reliability.ours, cv.ours.ece, cv.n] as [string, string, ReliabilityBin[], number, number]] : []),
  ];
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${W + 40}" viewBox="0 0 ${W} ${W + 40}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="13">${title}: reliability (test block n=${t.calibrated.n}${cv ? `; CV n=${cv.n}` : ''})</text>`);
  parts.push(`<rect x="${P}" y="${P}" width="${S}" height="${S}" fill="none" stroke="#888"/>`);
  for (let i = 0; i <= 10; i += 2) {
    const v = i / 10;
    parts.push(`<text x="${x(v)}" y="${W - P + 14}" text-anchor="middle">${v.toFixed(1)}</text><text x="${P - 6}" y="${(Number(y(v)) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  parts.push(`<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#bbb" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${W / 2}" y="${W - P + 30}" text-anchor="middle">mean predicted probability (${m.positive})</text>`);
  parts.push(`<text x="14" y="${W / 2}" text-anchor="middle" transform="rotate(-90 14 ${W / 2})">observed frequency</text>`);
  series.forEach(([name, color, bins, e, n], k) => {
    const pts = bins.filter((b) => b.n > 0);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.map((b) => `${x(b.meanP)},${y(b.meanY)}`).join(' ')}"/>`);
    for (const b of pts) parts.push(`<circle cx="${x(b.meanP)}" cy="${y(b.meanY)}" r="${Math.min(6, 1.5 + Math.sqrt(b.n / n) * 8).toFixed(1)}" fill="${color}" fill-opacity="0.6"><title>${name} ${b.lo.toFixed(1)}–${b.hi.toFixed(1)}: n=${b.n}, mean p=${b.meanP.toFixed(3)}, observed=${b.meanY.toFixed(3)}</title></circle>`);
    parts.push(`<rect x="${P + 8}" y="${P + 8 + k * 16}" width="10" height="10" fill="${color}"/><text x="${P + 24}" y="${P + 17 + k * 16}">${name} — ECE ${e.toFixed(4)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
