// Stage 1 of ingest: raw payloads → canonical drafts. Keyed by stream, so one owner parses a stream's
// payloads in arrival order with the adapter state earlier payloads built (GSI diffs, CS2 rounds).
// A payload delivered twice (same bytes on the same stream) is recognised and dropped; a payload the
// adapter rejects goes to the DLQ with the reason.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import type { AppendRecord, EventLog, LogRecord } from '../ports/event-log.ts';
import { startStatefulStage, type Stage, type StageContext } from '../streams/stateful-stage.ts';
import type { Topics } from '../topics.ts';
import { isParseError } from './adapters/errors.ts';
import { adapterFor } from './adapters/registry.ts';
import type { Adapter, AdapterContext, Draft } from './adapters/types.ts';
import { dlqRecord, draftRecord, rawMeta, rawRef, streamKey, type RawMeta } from './records.ts';
import { splitPayloads } from './payloads.ts';

/** Payload hashes remembered per stream for duplicate detection. */
const RECENT_PAYLOADS = 256;

export interface ParserState {
  adapter: unknown;
  payloads: string[];
}

export interface ParserStageOptions {
  eventLog: EventLog;
  topics: Topics;
  groupId: string;
  log: Logger;
  metrics?: Registry;
}

/** Parses one payload (for documents: every document of the body, then finish). Pure. */
export function parsePayload(adapter: Adapter, payload: Buffer, state: unknown, ctx: AdapterContext): { state: unknown; drafts: Draft[] } {
  if (adapter.kind === 'document') {
    let s = adapter.initialState();
    const drafts: Draft[] = [];
    for (const part of splitPayloads(adapter, payload)) {
      const out = adapter.parse(part, s, ctx);
      s = out.state;
      drafts.push(...out.drafts);
    }
    if (adapter.finish) drafts.push(...adapter.finish(s, ctx).drafts);
    // Documents are self-contained: nothing carries over to the stream's next payload.
    return { state: adapter.initialState(), drafts };
  }
  return adapter.parse(payload, state, ctx);
}

export function startParserStage(o: ParserStageOptions): Promise<Stage> {
  const counter = new Counter({ name: 'clutch_ingest_parser_payloads_total', help: 'Raw payloads seen by the parser stage.', labelNames: ['source', 'outcome'], registers: o.metrics ? [o.metrics] : [] });
  const drafts = new Counter({ name: 'clutch_ingest_drafts_total', help: 'Canonical event drafts produced by the parser stage.', labelNames: ['source'], registers: o.metrics ? [o.metrics] : [] });

  const one = (r: LogRecord, ctx: StageContext<ParserState>, out: AppendRecord[]) => {
    let meta: RawMeta;
    try {
      meta = rawMeta(r);
    } catch (err) {
      counter.inc({ source: 'unknown', outcome: 'malformed' });
      out.push(dlqRecord(o.topics.dlq, r.key, r.value, { code: 'CLUTCH_INGEST_RECORD_INVALID', message: (err as Error).message, stage: 'parser', raw: rawRef(r) }));
      return;
    }
    const key = streamKey(meta);
    const dlq = (code: string, message: string) =>
      out.push(dlqRecord(o.topics.dlq, key, r.value, { code, message, stage: 'parser', tenant: meta.tenant, source: meta.source, streamId: meta.streamId, receivedAt: meta.receivedAt, raw: rawRef(r) }));
    let adapter: Adapter;
    try {
      adapter = adapterFor(meta.source);
    } catch (err) {
      counter.inc({ source: meta.source, outcome: 'unknown_source' });
      return dlq('CLUTCH_INGEST_UNKNOWN_SOURCE', (err as Error).message);
    }
    const st = ctx.get(key) ?? { adapter: adapter.initialState(), payloads: [] };
    const hash = createHash('sha256').update(r.value).digest('base64url').slice(0, 22);
    if (st.payloads.includes(hash)) {
      counter.inc({ source: meta.source, outcome: 'duplicate' });
      return;
    }
    let parsed: { state: unknown; drafts: Draft[] };
    try {
      parsed = parsePayload(adapter, r.value, st.adapter, { receivedAt: meta.receivedAt, streamId: meta.streamId });
    } catch (err) {
      counter.inc({ source: meta.source, outcome: 'rejected' });
      if (isParseError(err)) return dlq(err.code, err.message);
      // An adapter bug must not stop the pipeline (a poison record): log it, keep the bytes.
      o.log.error({ error: err, source: meta.source, raw: rawRef(r) }, 'adapter failed');
      return dlq('CLUTCH_ADAPTER_FAILED', `${meta.source} adapter failed: ${(err as Error).message}`);
    }
    ctx.set(key, { adapter: parsed.state, payloads: [...st.payloads, hash].slice(-RECENT_PAYLOADS) });
    counter.inc({ source: meta.source, outcome: 'parsed' });
    drafts.inc({ source: meta.source }, parsed.drafts.length);
    for (const d of parsed.drafts) {
      out.push(draftRecord(o.topics.drafts, { tenant: meta.tenant, source: meta.source, streamId: meta.streamId, receivedAt: meta.receivedAt, raw: rawRef(r), draft: d }));
    }
  };

  return startStatefulStage<ParserState>({
    name: 'parser',
    eventLog: o.eventLog,
    input: o.topics.raw,
    groupId: o.groupId,
    changelog: o.topics.parserState,
    log: o.log,
    process(batch, ctx) {
      const out: AppendRecord[] = [];
      for (const r of batch.records) one(r, ctx, out);
      return out;
    },
  });
}
