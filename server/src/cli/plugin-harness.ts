// The local plugin harness: a plugin over recorded matches exactly as the server runs it. The files
// go through the server's own adapters and sequencing (parse.ts), the events of each match go, in seq
// order and in batches, to the real PluginRuntime (isolated-vm, the same limits, the same host-side
// checks), the state is carried from call to call as JSON text, and the latest value of each stat and
// subject is kept — what the host would store. The first call that fails stops the run with its coded
// error (CLUTCH_PLUGIN_TIMEOUT, _MEMORY, _OUTPUT, _CRASHED, _INVALID_OUTPUT…).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Envelope } from '@clutch/core';
import { PluginBadCall, PluginRuntime, validatePlugin, type PluginDefinition, type StatValue } from '../plugins/index.ts';
import { parseFiles } from './parse.ts';

/** Events per call by default: the most the runtime takes in one call, as the lifecycle API's test run does (live, the processor calls a plugin with what each batch brought: try smaller --batch). */
export const DEFAULT_BATCH = 5_000;

export type Values = Record<string, Record<string, StatValue['value']>>;

export interface MatchOutput {
  matchId: string;
  title: string;
  /** Events of the match passed to the plugin (its subscribed types). */
  events: number;
  /** Calls made (batches that had at least one subscribed event). */
  calls: number;
  /** Latest value per stat, by subject id. */
  players: Values;
  teams: Values;
  match: Record<string, StatValue['value']>;
  /** Log lines (capability `log`), in call order. */
  logs: string[];
  /** The state after the last call, as the host stores it (capability `state`). */
  state?: unknown;
}

export interface HarnessOptions {
  tenant?: string;
  /** Events per call (default 5,000). */
  batchSize?: number;
  /** A runtime to use (the caller closes it); by default one is made for the run and closed. */
  runtime?: PluginRuntime;
}

/** Runs a validated plugin over canonical events (any number of matches, of one tenant). */
export async function runPlugin(def: PluginDefinition, events: readonly Envelope[], o: HarnessOptions = {}): Promise<MatchOutput[]> {
  const batchSize = o.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new PluginBadCall(`the batch size must be a positive integer, got ${batchSize}`);
  const byMatch = new Map<string, Envelope[]>();
  for (const e of events) {
    let list = byMatch.get(e.matchId);
    if (!list) byMatch.set(e.matchId, (list = []));
    list.push(e);
  }
  const tenant = o.tenant ?? events[0]?.tenant ?? 'cli';
  const rt = o.runtime ?? new PluginRuntime({ workers: 1 });
  try {
    const { key } = await rt.load(tenant, def);
    const out: MatchOutput[] = [];
    for (const [matchId, list] of byMatch) {
      list.sort((a, b) => a.seq - b.seq);
      const title = list[0]!.title;
      if (!def.manifest.titles.includes(title)) {
        throw new PluginBadCall(`match ${matchId} is ${title}; ${def.manifest.name} supports ${def.manifest.titles.join(', ')}`);
      }
      const r: MatchOutput = { matchId, title, events: 0, calls: 0, players: {}, teams: {}, match: {}, logs: [] };
      let state: string | undefined;
      for (let i = 0; i < list.length; i += batchSize) {
        const res = await rt.invoke(key, { matchId, events: list.slice(i, i + batchSize), state });
        if (res.events === 0) continue;
        r.events += res.events;
        r.calls += 1;
        state = res.state;
        r.logs.push(...res.logs);
        for (const v of res.values) {
          if (v.subject.kind === 'match') r.match[v.stat] = v.value;
          else {
            const bucket = v.subject.kind === 'player' ? r.players : r.teams;
            (bucket[v.subject.id] ??= {})[v.stat] = v.value;
          }
        }
      }
      if (state !== undefined) r.state = JSON.parse(state) as unknown;
      out.push(r);
    }
    return out;
  } finally {
    if (!o.runtime) await rt.close();
  }
}

/** Reads a built plugin: bundle.js and its manifest (default: manifest.json next to the bundle), validated. */
export async function readBuiltPlugin(bundlePath: string, manifestPath?: string): Promise<PluginDefinition> {
  const mPath = manifestPath ?? join(dirname(bundlePath), 'manifest.json');
  const [bundle, manifestText] = await Promise.all([readFile(bundlePath, 'utf8'), readFile(mPath, 'utf8')]);
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText) as unknown;
  } catch (err) {
    throw new PluginBadCall(`${mPath} is not JSON: ${(err as Error).message}`);
  }
  return validatePlugin(manifest, bundle);
}

/** Recorded files of one source → the plugin's outputs per match. */
export async function testPluginOnFiles(def: PluginDefinition, source: string, files: string[], o: HarnessOptions = {}): Promise<MatchOutput[]> {
  const tenant = o.tenant ?? 'cli';
  const { events } = await parseFiles(source, files, { tenant, streamId: 'plugin-test', receivedAt: new Date().toISOString() });
  if (events.length === 0) throw new PluginBadCall(`${source} found no events in ${files.join(', ')}`);
  return runPlugin(def, events, { ...o, tenant });
}
