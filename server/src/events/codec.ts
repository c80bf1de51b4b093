// Canonical events on the wire: JSON values keyed by match id, validated against the envelope schema on
// the way in and out.
import { EnvelopeSchema, isTitle, type Envelope } from '@clutch/core';
import { Compile } from 'typebox/compile';
import { createError } from '../errors.ts';
import type { AppendRecord, LogRecord } from '../ports/event-log.ts';

export const EventInvalid = createError('CLUTCH_EVENT_INVALID', 'invalid canonical event: %s', 400);

const validator = Compile(EnvelopeSchema);

export function validateEnvelope(value: unknown): Envelope {
  if (validator.Check(value)) return value;
  const first = [...validator.Errors(value)].slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`);
  throw new EventInvalid(first.join('; '));
}

/**
 * A canonical event as a log record: the JSON envelope, keyed by match id, and no headers. Headers
 * are decoded for every record by every consumer: five routing headers made the processor's Kafka
 * consumption cost 2.3× the CPU (bench/pipeline: a bare kafkajs consumer read 123k events per
 * CPU-second with them and 290k without). Everything they carried is in the envelope.
 */
export function toRecord(topic: string, e: Envelope): AppendRecord {
  return { topic, key: e.matchId, value: Buffer.from(JSON.stringify(e)) };
}

export function fromRecord(r: LogRecord): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.value.toString('utf8'));
  } catch (err) {
    throw new EventInvalid(`not JSON (${(err as Error).message})`);
  }
  return validateEnvelope(parsed);
}

/**
 * The canonical topic's records were validated when the sequencer wrote them: consumers on the hot
 * path check only what they rely on (routing fields, seq, a payload object) instead of the whole
 * schema again. The full check costs about as much as everything else the processor does per event.
 */
export function fromCanonicalRecord(r: LogRecord): Envelope {
  return fromCanonicalValue(r.value);
}

/** fromCanonicalRecord on a record's value alone (what a worker thread receives). */
export function fromCanonicalValue(value: Uint8Array): Envelope {
  let e: Record<string, unknown>;
  try {
    const text = Buffer.isBuffer(value) ? value.toString('utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
    e = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new EventInvalid(`not JSON (${(err as Error).message})`);
  }
  if (
    e === null ||
    typeof e !== 'object' ||
    e['v'] !== 1 ||
    typeof e['tenant'] !== 'string' ||
    typeof e['matchId'] !== 'string' ||
    typeof e['type'] !== 'string' ||
    typeof e['occurredAt'] !== 'string' ||
    !isTitle(e['title']) ||
    !Number.isSafeInteger(e['seq']) ||
    (e['seq'] as number) < 1 ||
    (e['gameTime'] !== undefined && typeof e['gameTime'] !== 'number') ||
    typeof e['payload'] !== 'object' ||
    e['payload'] === null
  ) {
    return validateEnvelope(e); // throws with the full schema's reasons
  }
  return e as unknown as Envelope;
}
