// `clutch parse <source> <file...>`: recorded source data → canonical events as NDJSON on stdout, seq
// from 1 per match, exactly as the ingest pipeline would number them. Exit 1 with a clear message on
// input the adapter rejects.
import { readFile } from 'node:fs/promises';
import { uuidv7, type Envelope } from '@clutch/core';
import { adapterFor } from '../ingest/adapters/registry.ts';
import type { AdapterContext, Draft } from '../ingest/adapters/types.ts';
import { parsePayload } from '../ingest/parser-stage.ts';
import { payloadsOfFile } from '../ingest/payloads.ts';
import type { DraftRecord } from '../ingest/records.ts';
import { sequenceDraft, type SequencerState } from '../ingest/sequencer-stage.ts';

export interface ParseFilesOptions {
  tenant: string;
  streamId: string;
  receivedAt: string;
}

/** Parses files of one source in order and sequences the drafts per match. Throws ParseError. */
export async function parseFiles(source: string, files: string[], o: ParseFilesOptions): Promise<{ events: Envelope[]; duplicates: number }> {
  const adapter = adapterFor(source);
  const ctx: AdapterContext = { receivedAt: o.receivedAt, streamId: o.streamId };
  const drafts: Draft[] = [];
  if (adapter.kind === 'document') {
    // The files of a document source describe one match together (e.g. match + timeline JSON).
    let state = adapter.initialState();
    for (const f of files) {
      const out = adapter.parse(await readFile(f), state, ctx);
      state = out.state;
      drafts.push(...out.drafts);
    }
    if (adapter.finish) drafts.push(...adapter.finish(state, ctx).drafts);
  } else {
    let state = adapter.initialState();
    for (const f of files) {
      for (const payload of payloadsOfFile(adapter, await readFile(f))) {
        const out = parsePayload(adapter, payload, state, ctx);
        state = out.state;
        drafts.push(...out.drafts);
      }
    }
  }
  const seqs = new Map<string, SequencerState>();
  const events: Envelope[] = [];
  let duplicates = 0;
  for (const draft of drafts) {
    const record: DraftRecord = { tenant: o.tenant, source: adapter.source, streamId: o.streamId, receivedAt: o.receivedAt, raw: `file`, draft };
    const r = sequenceDraft(seqs.get(draft.matchId), record, uuidv7());
    if (r.kind === 'duplicate') duplicates++;
    else if (r.kind === 'invalid') throw new Error(`${source} produced an invalid ${draft.type} event: ${r.problems.join('; ')} (an adapter bug: please report it)`);
    else {
      seqs.set(draft.matchId, r.state);
      events.push(r.envelope);
    }
  }
  return { events, duplicates };
}

export async function parseCommand(source: string | undefined, files: string[], o: { tenant: string }): Promise<number> {
  if (!source || !files.length) {
    process.stderr.write('usage: clutch parse <source> <file...>\n');
    return 2;
  }
  const { events, duplicates } = await parseFiles(source, files, { tenant: o.tenant, streamId: 'cli', receivedAt: new Date().toISOString() });
  const out = process.stdout;
  for (const e of events) {
    if (!out.write(`${JSON.stringify(e)}\n`)) await new Promise((r) => out.once('drain', r));
  }
  const byType = new Map<string, number>();
  for (const e of events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
  const matches = new Set(events.map((e) => e.matchId)).size;
  process.stderr.write(
    `clutch parse: ${events.length} events in ${matches} match(es)${duplicates ? `, ${duplicates} duplicates dropped` : ''}: ${[...byType].map(([t, n]) => `${t} ${n}`).join(', ')}\n`,
  );
  return 0;
}
