// UUIDv7 (RFC 9562 §5.7): 48-bit Unix-ms timestamp, then random bits. Sortable by creation time,
// which keeps index inserts sequential. Uses Web Crypto, so it runs in browsers too. Clock and randomness are injectable for deterministic tests.
export type RandomFill = (bytes: Uint8Array<ArrayBuffer>) => void;

let lastMs = -1;
let counter = 0;

/** A UUIDv7 string. Within one millisecond a 12-bit counter keeps ids strictly increasing. */
export function uuidv7(nowMs: number = Date.now(), fill: RandomFill = (b) => void globalThis.crypto.getRandomValues(b)): string {
  const bytes = new Uint8Array(16);
  fill(bytes);
  if (nowMs === lastMs) {
    counter = (counter + 1) & 0xfff;
  } else {
    lastMs = nowMs;
    counter = ((bytes[6] ?? 0) << 8 | (bytes[7] ?? 0)) & 0x7ff; // random start, room to grow
  }
  const ms = BigInt(nowMs);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | (counter >> 8); // version 7 + counter high bits
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f); // RFC 9562 variant
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Milliseconds since the epoch encoded in a UUIDv7. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
