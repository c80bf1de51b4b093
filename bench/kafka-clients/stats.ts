// Median and spread of repeated measurements.
export interface Summary {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, in percent. */
  spreadPct: number;
  runs: number[];
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

export function summarize(values: number[], digits = 1): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const min = sorted[0] ?? 0;
  const max = sorted.at(-1) ?? 0;
  return {
    median: round(median, digits),
    min: round(min, digits),
    max: round(max, digits),
    spreadPct: median > 0 ? round(((max - min) / median) * 100, 1) : 0,
    runs: values.map((v) => round(v, digits)),
  };
}
