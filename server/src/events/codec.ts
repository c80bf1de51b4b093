// Canonical events on the wire: JSON values, validated against the envelope schema on the way in and
// out, with routing headers so consumers can filter without parsing.
import { EnvelopeSchema, type Envelope } from '@clutch/core';
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

export function toRecord(topic: string, e: Envelope): AppendRecord {
  return {
    topic,
    key: e.matchId,
    value: Buffer.from(JSON.stringify(e)),
    headers: { 'content-type': 'application/json', 'clutch-schema': `envelope.v${e.v}`, 'clutch-type': e.type, 'clutch-title': e.title, 'clutch-tenant': e.tenant },
  };
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
