// POST /v1/ingest/{source}: where game servers, plugins, observers and pollers send data. The
// sender gets 2xx only once Kafka (or the embedded log) holds the raw payload — nothing acknowledged
// is ever lost — and a clear 4xx with a code when the input is bad (the bytes and the reason also go
// to the DLQ). Parsing into events happens behind the log, in the parser and sequencer stages.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import Type from 'typebox';
import { Counter, Histogram, type Registry } from 'prom-client';
import { errorBodyWith, sendError } from '../api/errors.ts';
import { createError, isClutchError } from '../errors.ts';
import type { EventLog } from '../ports/event-log.ts';
import type { Store } from '../ports/store.ts';
import type { Topics } from '../topics.ts';
import { acceptPayloads, appendWithin, type Accepted } from './accept.ts';
import { adapterFor, availableSources } from './adapters/registry.ts';
import type { Adapter, SourceName } from './adapters/types.ts';
import { parseJson } from './adapters/util.ts';
import { tokenFrom, tokenVerifier, IngestWrongSource } from './auth.ts';

export const IngestOverloaded = createError('CLUTCH_INGEST_OVERLOADED', 'ingest is at capacity (%s); retry after the Retry-After delay', 503);
export const IngestUnavailable = createError('CLUTCH_INGEST_UNAVAILABLE', 'the event log did not take the payload (%s); nothing was accepted, retry after the Retry-After delay', 503);
const Rejection = Type.Object({ index: Type.Integer(), code: Type.String(), message: Type.String() }, { additionalProperties: true });
const Accepted202 = Type.Object({
  ingestId: Type.String(),
  accepted: Type.Integer({ description: 'Payloads taken' }),
  rejected: Type.Array(Rejection),
  raw: Type.Array(Type.Object({ partition: Type.Integer(), offset: Type.String() })),
});
/** The error body; a 400 of a multi-payload body lists every rejected payload too. */
const IngestErrorBody = errorBodyWith({ rejected: Type.Optional(Type.Array(Rejection)) });
export const IngestEmpty = createError('CLUTCH_INGEST_EMPTY', 'the request body is empty', 400);

/** Largest body per source: log bodies and live states are small; post-game documents are not. */
export const BODY_LIMITS: Record<SourceName, number> = {
  'cs2-log': 4 << 20,
  'cs2-gsi': 1 << 20,
  get5: 1 << 20,
  matchzy: 1 << 20,
  'lol-match': 16 << 20,
  'lol-live-client': 2 << 20,
  'lol-livestats': 4 << 20,
  'dota2-gsi': 2 << 20,
  opendota: 16 << 20,
  'steam-match': 4 << 20,
  'valorant-match': 16 << 20,
  faceit: 4 << 20,
};

export interface IngestHttpOptions {
  eventLog: EventLog;
  store: Store;
  topics: Topics;
  metrics?: Registry;
  /** Payloads accepted for a tenant (usage metering). */
  onAccepted?: (tenant: string, payloads: number) => void;
  /** Bytes of request bodies being handled at once before 503 (default 64 MiB). */
  maxInFlightBytes?: number;
  /** Requests being handled at once before 503 (default 512). */
  maxInFlightRequests?: number;
  appendTimeoutMs?: number;
}

function gsiToken(adapter: Adapter, body: Buffer): string | undefined {
  if (adapter.source !== 'cs2-gsi' && adapter.source !== 'dota2-gsi') return undefined;
  try {
    const token = (parseJson(adapter.source, body) as { auth?: { token?: unknown } })?.auth?.token;
    return typeof token === 'string' ? token : undefined;
  } catch {
    return undefined; // the validation below reports the bad JSON
  }
}

const ingest: FastifyPluginAsync<IngestHttpOptions> = async (app, o) => {
  const verifier = tokenVerifier(o.store);
  const maxBytes = o.maxInFlightBytes ?? 64 << 20;
  const maxRequests = o.maxInFlightRequests ?? 512;
  const timeoutMs = o.appendTimeoutMs ?? 10_000;
  let inFlightBytes = 0;
  let inFlight = 0;
  const registers = o.metrics ? [o.metrics] : [];
  const requests = new Counter({ name: 'clutch_ingest_requests_total', help: 'Ingest requests by source and outcome.', labelNames: ['source', 'outcome'], registers });
  const payloadsTotal = new Counter({ name: 'clutch_ingest_payloads_total', help: 'Payloads accepted or rejected at ingest.', labelNames: ['source', 'outcome'], registers });
  const latency = new Histogram({ name: 'clutch_ingest_ack_seconds', help: 'Time from request to 2xx (payload durable in the log).', labelNames: ['source'], registers, buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

  // Bodies stay bytes: the raw payload is stored exactly as received.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const fail = (reply: FastifyReply, status: number, code: string, message: string, extra: Record<string, unknown> = {}) => sendError(reply, status, code, message, undefined, extra);

  for (const source of availableSources()) {
    const adapter = adapterFor(source);
    const schema = {
      summary: `Send ${source} data`,
      description: `Raw ${source} payloads (docs/sources/${source}.md). 202 once Kafka holds them; rejected payloads are listed (and kept in the dead-letter topic).`,
      tags: ['ingest'],
      response: { 202: Accepted202, 400: IngestErrorBody, 401: IngestErrorBody, 403: IngestErrorBody, 413: IngestErrorBody, 503: IngestErrorBody },
    };
    app.post(`/v1/ingest/${source}`, { bodyLimit: BODY_LIMITS[source], schema }, async (req, reply) => {
      const started = performance.now();
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (inFlight >= maxRequests || inFlightBytes + body.length > maxBytes) {
        requests.inc({ source, outcome: 'overloaded' });
        reply.header('retry-after', '1');
        const e = new IngestOverloaded(inFlight >= maxRequests ? `${inFlight} requests in flight` : `${inFlightBytes} bytes in flight`);
        return fail(reply, 503, e.code, e.message);
      }
      inFlight++;
      inFlightBytes += body.length;
      try {
        const auth = await verifier.verify(tokenFrom(req, gsiToken(adapter, body)));
        if (auth.source !== source) throw new IngestWrongSource(auth.source, source);
        if (body.length === 0) throw new IngestEmpty();
        let result: Accepted;
        try {
          result = await acceptPayloads(o.topics, { adapter, tenant: auth.tenant, streamId: auth.streamId, body, contentType: req.headers['content-type'] ?? '', append: (records) => appendWithin(o.eventLog, records, timeoutMs) });
        } catch (err) {
          if ((err as { code?: string }).code === 'CLUTCH_EVENTLOG_RECORD_TOO_LARGE') {
            requests.inc({ source, outcome: 'too_large' });
            return fail(reply, 413, 'CLUTCH_EVENTLOG_RECORD_TOO_LARGE', `${(err as Error).message}; split the body (NDJSON: one payload per line) or send less per request`);
          }
          reply.header('retry-after', '5');
          const e = new IngestUnavailable(isClutchError(err) ? err.code : (err as Error).message);
          requests.inc({ source, outcome: 'unavailable' });
          req.log.warn({ error: err, source }, 'ingest append failed; sender told to retry');
          return fail(reply, 503, e.code, e.message);
        }
        const { accepted, rejected, meta } = result;
        payloadsTotal.inc({ source, outcome: 'accepted' }, accepted);
        if (accepted > 0) o.onAccepted?.(auth.tenant, accepted);
        payloadsTotal.inc({ source, outcome: 'rejected' }, rejected.length);
        if (accepted === 0) {
          requests.inc({ source, outcome: 'rejected' });
          return fail(reply, 400, rejected[0]!.code, rejected.length === 1 ? rejected[0]!.message : `all ${rejected.length} payloads were rejected`, { rejected });
        }
        requests.inc({ source, outcome: 'accepted' });
        latency.observe({ source }, (performance.now() - started) / 1000);
        const raw = result.raw.map((p) => ({ partition: p.partition, offset: String(p.offset) }));
        return reply.code(202).send({ ingestId: meta.ingestId, accepted, rejected, raw });
      } finally {
        inFlight--;
        inFlightBytes -= body.length;
      }
    });
  }
};

export default ingest;
