// Dependency-free Kafka readiness probe: one TCP connection, two pipelined requests
// (ApiVersions v3, Metadata v4), answered in order. A broker that accepts TCP connections while it is
// still starting (its acceptors bind before request processing is enabled) does not answer, or answers
// Metadata without itself in the broker list: both count as "not serving yet".
import { tcpRequest } from '../util.ts';

export interface BrokerInfo {
  brokers: Array<{ nodeId: number; host: string; port: number }>;
  clusterId: string | undefined;
  controllerId: number;
  /** Finalized `metadata.version` feature level, Kafka's own statement of what it runs. */
  metadataVersionLevel: number | undefined;
}

const CLIENT_ID = 'clutch-probe';

/** Request header v1 (non-flexible) or v2 (flexible: trailing empty tagged fields). */
function header(apiKey: number, apiVersion: number, correlationId: number, flexible: boolean): Buffer {
  const id = Buffer.from(CLIENT_ID);
  const b = Buffer.alloc(10 + id.length + (flexible ? 1 : 0));
  b.writeInt16BE(apiKey, 0);
  b.writeInt16BE(apiVersion, 2);
  b.writeInt32BE(correlationId, 4);
  b.writeInt16BE(id.length, 8);
  id.copy(b, 10);
  return b; // the flexible tag-count byte is already 0
}

function frame(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

function compactString(s: string): Buffer {
  const bytes = Buffer.from(s);
  return Buffer.concat([Buffer.from([bytes.length + 1]), bytes]); // short strings: one-byte uvarint
}

export function probeRequest(): Buffer {
  const apiVersions = frame(header(18, 3, 1, true), compactString(CLIENT_ID), compactString('1'), Buffer.from([0]));
  // Metadata v4 (v0-v3 were removed in Kafka 4.0): empty topic list, no auto-creation.
  const metadata = frame(header(3, 4, 2, false), Buffer.from([0, 0, 0, 0, 0]));
  return Buffer.concat([apiVersions, metadata]);
}

/** Complete size-prefixed frames in `buf`, or undefined while more bytes are due. */
export function frames(buf: Buffer, count: number): Buffer[] | undefined {
  const out: Buffer[] = [];
  let at = 0;
  while (out.length < count) {
    if (buf.length < at + 4) return undefined;
    const size = buf.readInt32BE(at);
    if (buf.length < at + 4 + size) return undefined;
    out.push(buf.subarray(at + 4, at + 4 + size));
    at += 4 + size;
  }
  return out;
}

class Reader {
  at = 0;
  readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  int16(): number {
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  uvarint(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.buf.readUInt8(this.at++);
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
  }
  string(): string | undefined {
    const len = this.int16();
    if (len < 0) return undefined;
    const s = this.buf.toString('utf8', this.at, this.at + len);
    this.at += len;
    return s;
  }
  compactString(): string {
    const len = this.uvarint() - 1;
    const s = this.buf.toString('utf8', this.at, this.at + Math.max(len, 0));
    this.at += Math.max(len, 0);
    return s;
  }
  skip(n: number): void {
    this.at += n;
  }
}

/** ApiVersions v3 response (header v0, always): the metadata.version level from tagged field 2. */
function parseApiVersions(body: Buffer): number | undefined {
  const r = new Reader(body);
  r.int32(); // correlation id
  const errorCode = r.int16();
  if (errorCode !== 0) throw new Error(`ApiVersions error code ${errorCode}`);
  const apis = r.uvarint() - 1;
  for (let i = 0; i < apis; i++) {
    r.skip(6);
    skipTaggedFields(r);
  }
  r.int32(); // throttle
  let level: number | undefined;
  const tags = r.uvarint();
  for (let i = 0; i < tags; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const end = r.at + size;
    if (tag === 2) level = finalizedMetadataVersion(r);
    r.at = end;
  }
  return level;
}

function finalizedMetadataVersion(r: Reader): number | undefined {
  let level: number | undefined;
  const n = r.uvarint() - 1;
  for (let i = 0; i < n; i++) {
    const name = r.compactString();
    const max = r.int16();
    r.int16(); // min
    skipTaggedFields(r);
    if (name === 'metadata.version') level = max;
  }
  return level;
}

function skipTaggedFields(r: Reader): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}

/** Metadata v4 response (header v0). */
function parseMetadata(body: Buffer): Omit<BrokerInfo, 'metadataVersionLevel'> {
  const r = new Reader(body);
  r.int32(); // correlation id
  r.int32(); // throttle
  const brokers: BrokerInfo['brokers'] = [];
  const n = r.int32();
  for (let i = 0; i < n; i++) {
    const nodeId = r.int32();
    const host = r.string() ?? '';
    const port = r.int32();
    r.string(); // rack
    brokers.push({ nodeId, host, port });
  }
  const clusterId = r.string();
  const controllerId = r.int32();
  return { brokers, clusterId, controllerId };
}

/** Throws when the broker does not answer both requests in time or answers without any broker. */
export async function describeBroker(host: string, port: number, timeoutMs: number): Promise<BrokerInfo> {
  let answer: Buffer;
  try {
    answer = await tcpRequest(host, port, probeRequest(), timeoutMs, (b) => frames(b, 2) !== undefined);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A timeout after a successful connect is the "acceptor bound, requests not processed yet" phase.
    const text = message.startsWith('timeout') ? `port open but broker not serving yet: ${message}` : message;
    throw new Error(text, { cause: err });
  }
  const parts = frames(answer, 2);
  if (!parts) throw new Error(`${host}:${port} closed the connection mid-answer (not serving yet?)`);
  const [versions, metadata] = parts as [Buffer, Buffer];
  const info = { ...parseMetadata(metadata), metadataVersionLevel: parseApiVersions(versions) };
  if (info.brokers.length === 0) throw new Error(`${host}:${port} answered but lists no brokers yet`);
  return info;
}
