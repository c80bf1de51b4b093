// Accepting payloads into the log: what both the HTTP ingest route and the pollers do. Validate each
// payload (a parse from a fresh adapter state), append the good ones to the raw topic and the bad
// ones to the DLQ with the reason, in one append — nothing is acknowledged before the log has it.
import { uuidv7 } from '@clutch/core';
import type { AppendRecord, AppendResult, EventLog } from '../ports/event-log.ts';
import type { Topics } from '../topics.ts';
import { isParseError } from './adapters/errors.ts';
import type { Adapter, SourceName } from './adapters/types.ts';
import { parsePayload } from './parser-stage.ts';
import { splitPayloads } from './payloads.ts';
import { dlqRecord, rawRecord, streamKey, type RawMeta } from './records.ts';
import { redact } from './redact.ts';

export interface Rejection {
  index: number;
  code: string;
  message: string;
}

export interface Accepted {
  meta: RawMeta;
  accepted: number;
  rejected: Rejection[];
  /** Where each accepted payload went, in order. */
  raw: AppendResult[];
}

/** Validates each payload by parsing it from a fresh state: syntax and shape errors surface here. */
function validate(adapter: Adapter, payloads: Buffer[], meta: RawMeta): { ok: number[]; rejected: Rejection[] } {
  const ok: number[] = [];
  const rejected: Rejection[] = [];
  payloads.forEach((p, index) => {
    try {
      parsePayload(adapter, p, adapter.initialState(), { receivedAt: meta.receivedAt, streamId: meta.streamId });
      ok.push(index);
    } catch (err) {
      // Only a ParseError is the sender's fault; an adapter bug is ours: accept, the parser stage keeps the bytes.
      if (isParseError(err)) rejected.push({ index, code: err.code, message: err.message });
      else ok.push(index);
    }
  });
  return { ok, rejected };
}

export interface AcceptInput {
  adapter: Adapter;
  tenant: string;
  streamId: string;
  body: Buffer;
  contentType: string;
  /** Rejects (with the event log's error) when the log does not take the records in time. */
  append: (records: AppendRecord[]) => Promise<AppendResult[]>;
}

export async function acceptPayloads(topics: Topics, i: AcceptInput): Promise<Accepted> {
  const meta: RawMeta = { tenant: i.tenant, source: i.adapter.source as SourceName, streamId: i.streamId, receivedAt: new Date().toISOString(), ingestId: uuidv7(), contentType: i.contentType };
  const clean = redact(meta.source, i.body);
  // Documents stay whole (their parts belong together); stream payloads become one record each.
  const payloads = i.adapter.kind === 'document' ? [clean] : splitPayloads(i.adapter, clean, meta.contentType);
  const { ok, rejected } = validate(i.adapter, payloads, meta);
  const key = streamKey(meta);
  const records: AppendRecord[] = [
    ...rejected.map((r) => dlqRecord(topics.dlq, key, payloads[r.index]!, { code: r.code, message: r.message, stage: 'ingest', tenant: meta.tenant, source: meta.source, streamId: meta.streamId, receivedAt: meta.receivedAt })),
    ...ok.map((n) => rawRecord(topics.raw, meta, payloads[n]!)),
  ];
  const placed = await i.append(records);
  return { meta, accepted: ok.length, rejected, raw: placed.slice(rejected.length) };
}

/** EventLog.append with a deadline. */
export async function appendWithin(log: EventLog, records: AppendRecord[], ms: number): Promise<AppendResult[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      log.append(records),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no acknowledgement within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
