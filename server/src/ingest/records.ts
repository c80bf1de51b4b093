// Records of the ingest pipeline: raw payloads (keyed by stream), drafts (keyed by match) and DLQ
// entries (the raw bytes plus why they were rejected).
import type { Draft, SourceName } from './adapters/types.ts';
import type { AppendRecord, LogRecord } from '../ports/event-log.ts';
import { createError } from '../errors.ts';

export const RecordInvalid = createError('CLUTCH_INGEST_RECORD_INVALID', 'malformed ingest record: %s', 500);

export interface RawMeta {
  tenant: string;
  source: SourceName;
  /** The stream the payload belongs to (the ingest token's stream: a game server, an observer, a poller). */
  streamId: string;
  receivedAt: string;
  /** Unique per accepted request, echoed to the sender. */
  ingestId: string;
  contentType: string;
}

export const streamKey = (m: Pick<RawMeta, 'tenant' | 'source' | 'streamId'>) => `${m.tenant}|${m.source}|${m.streamId}`;
export const matchKey = (tenant: string, matchId: string) => `${tenant}|${matchId}`;

const H = { tenant: 'clutch-tenant', source: 'clutch-source', stream: 'clutch-stream', receivedAt: 'clutch-received-at', ingestId: 'clutch-ingest-id', contentType: 'content-type' } as const;

export function rawRecord(topic: string, meta: RawMeta, payload: Buffer): AppendRecord {
  return {
    topic,
    key: streamKey(meta),
    value: payload,
    headers: { [H.tenant]: meta.tenant, [H.source]: meta.source, [H.stream]: meta.streamId, [H.receivedAt]: meta.receivedAt, [H.ingestId]: meta.ingestId, [H.contentType]: meta.contentType },
  };
}

export function rawMeta(r: LogRecord): RawMeta {
  const h = r.headers;
  for (const name of [H.tenant, H.source, H.stream, H.receivedAt, H.ingestId]) if (!h[name]) throw new RecordInvalid(`raw record ${r.partition}/${r.offset} has no ${name} header`);
  return { tenant: h[H.tenant]!, source: h[H.source] as SourceName, streamId: h[H.stream]!, receivedAt: h[H.receivedAt]!, ingestId: h[H.ingestId]!, contentType: h[H.contentType] ?? '' };
}

/** Where a record is kept, for Envelope.raw and DLQ entries. */
export const rawRef = (r: Pick<LogRecord, 'topic' | 'partition' | 'offset'>) => `${r.topic}/${r.partition}/${r.offset}`;

export interface DraftRecord {
  tenant: string;
  source: SourceName;
  streamId: string;
  receivedAt: string;
  raw: string;
  draft: Draft;
}

export function draftRecord(topic: string, d: DraftRecord): AppendRecord {
  return { topic, key: matchKey(d.tenant, d.draft.matchId), value: Buffer.from(JSON.stringify(d)), headers: { 'content-type': 'application/json', [H.tenant]: d.tenant } };
}

export function readDraftRecord(r: LogRecord): DraftRecord {
  try {
    const d = JSON.parse(r.value.toString('utf8')) as DraftRecord;
    if (!d?.tenant || !d.draft?.matchId || !d.draft.type) throw new Error('missing tenant, match id or type');
    return d;
  } catch (err) {
    throw new RecordInvalid(`draft record ${r.partition}/${r.offset}: ${(err as Error).message}`);
  }
}

export interface DlqEntry {
  code: string;
  message: string;
  stage: 'ingest' | 'parser' | 'sequencer';
  tenant?: string;
  source?: string;
  streamId?: string;
  receivedAt?: string;
  raw?: string;
}

export function dlqRecord(topic: string, key: string, value: Buffer, e: DlqEntry): AppendRecord {
  const headers: Record<string, string> = { 'clutch-dlq-code': e.code, 'clutch-dlq-message': e.message.slice(0, 1000), 'clutch-dlq-stage': e.stage };
  if (e.tenant) headers[H.tenant] = e.tenant;
  if (e.source) headers[H.source] = e.source;
  if (e.streamId) headers[H.stream] = e.streamId;
  if (e.receivedAt) headers[H.receivedAt] = e.receivedAt;
  if (e.raw) headers['clutch-raw'] = e.raw;
  return { topic, key, value, headers };
}
