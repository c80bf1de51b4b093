// Streaming CSV lines for the prediction datasets: one line at a time from a file of any size, with
// the 1-based line number. The task formats are plain comma-separated numbers and words; quoted
// fields (RFC 4180, no embedded newlines) are accepted too.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    }
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** Yields [lineNumber, fields] for every non-empty line of the file, streaming. */
export async function* csvLines(file: string): AsyncGenerator<[number, string[]]> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of rl) {
    n++;
    const line = n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.trim() === '') continue;
    yield [n, splitCsvLine(line.endsWith('\r') ? line.slice(0, -1) : line)];
  }
}
