// Every source adapter, by source name. Ingest, the CLI (`clutch parse`, `clutch replay`) and the
// pollers find adapters here and nowhere else.
import { createError } from '../../errors.ts';
import { adapters as cs2 } from './cs2/index.ts';
import { adapters as cs2Log } from './cs2-log/index.ts';
import { adapters as dota2 } from './dota2/index.ts';
import { adapters as faceit } from './faceit/index.ts';
import { adapters as lol } from './lol/index.ts';
import { adapters as valorant } from './valorant/index.ts';
import { SOURCES, type Adapter, type SourceName } from './types.ts';

export const UnknownSource = createError('CLUTCH_INGEST_UNKNOWN_SOURCE', 'unknown source "%s"; known sources: %s', 404);

const all: Adapter[] = [...cs2Log, ...cs2, ...lol, ...dota2, ...valorant, ...faceit];
const bySource = new Map<string, Adapter>(all.map((a) => [a.source, a]));

export function adapterFor(source: string): Adapter {
  const a = bySource.get(source);
  if (!a) throw new UnknownSource(source, [...bySource.keys()].join(', '));
  return a;
}

export function availableSources(): SourceName[] {
  return SOURCES.filter((s) => bySource.has(s));
}
