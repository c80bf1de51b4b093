// Validation of canonical events: the envelope, then the payload against its type's schema.
// Compiled once per type, lazily (most processes see a handful of types).
import { Compile } from 'typebox/compile';
import { EnvelopeSchema, isEventType, Payloads, type EventType } from './events.ts';

type Checker = ReturnType<typeof Compile>;
const checkers = new Map<EventType, Checker>();
let envelopeChecker: Checker | undefined;

function describe(c: Checker, value: unknown, max = 3): string[] {
  return [...c.Errors(value)].slice(0, max).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

/** Problems with a payload for this type; empty when valid. Unknown types are a problem too. */
export function payloadProblems(type: string, payload: unknown): string[] {
  if (!isEventType(type)) return [`unknown event type "${type}"`];
  let c = checkers.get(type);
  if (!c) checkers.set(type, (c = Compile(Payloads[type])));
  return c.Check(payload) ? [] : describe(c, payload).map((p) => `payload${p === '/ ' ? '' : p.startsWith('/') ? p : ` ${p}`}`);
}

/** Problems with a whole event (envelope and payload); empty when valid. */
export function eventProblems(value: unknown): string[] {
  envelopeChecker ??= Compile(EnvelopeSchema);
  if (!envelopeChecker.Check(value)) return describe(envelopeChecker, value);
  const e = value as { type: string; payload: unknown };
  return payloadProblems(e.type, e.payload);
}
