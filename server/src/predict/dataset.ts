// Reads a dataset file of a task's format row by row (streaming: files of any size), counting and
// skipping bad rows; a file that is not of the format at all fails with FormatError.
import { csvLines } from './csv.ts';
import { BadRow, FormatError, rowReader, type Row, type Task } from './tasks.ts';

export interface ReadStats { rows: number; bad: number; errors: string[] }

export async function readDataset(task: Task, file: string, onRow: (r: Row) => void, o: { keepErrors?: number } = {}): Promise<ReadStats> {
  const keep = o.keepErrors ?? 5;
  const stats: ReadStats = { rows: 0, bad: 0, errors: [] };
  let reader: ReturnType<typeof rowReader> | undefined;
  for await (const [line, fields] of csvLines(file)) {
    if (!reader) {
      reader = rowReader(task, fields);
      if (reader.header) continue;
    }
    let row: Row;
    try {
      row = reader.parse(fields);
    } catch (e) {
      if (!(e instanceof BadRow)) throw e;
      stats.bad++;
      if (stats.errors.length < keep) stats.errors.push(`line ${line}: ${e.message}`);
      continue;
    }
    stats.rows++;
    onRow(row);
  }
  if (!reader) throw new FormatError(`${file} is empty: no ${task} rows`);
  return stats;
}

export async function loadRows(task: Task, file: string): Promise<{ rows: Row[]; stats: ReadStats }> {
  const rows: Row[] = [];
  const stats = await readDataset(task, file, (r) => rows.push(r));
  return { rows, stats };
}

/** The contiguous blocks used everywhere: first 70 % train, next 15 % validation, last 15 % test. */
export function splitBlocks<T>(rows: T[]): { train: T[]; validation: T[]; test: T[] } {
  const a = Math.floor(rows.length * 0.7);
  const b = Math.floor(rows.length * 0.85);
  return { train: rows.slice(0, a), validation: rows.slice(a, b), test: rows.slice(b) };
}
