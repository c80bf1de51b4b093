// How a request body becomes payloads: an NDJSON body (content type application/x-ndjson, or
// several JSON objects on separate lines) holds one JSON payload per line; anything else is one payload.
import type { Adapter } from './adapters/types.ts';

export function isNdjson(body: Buffer): boolean {
  const text = body.toString('utf8', 0, Math.min(body.length, 4096)).trimStart();
  return text.startsWith('{') && /}\s*\r?\n\s*\{/.test(body.toString('utf8'));
}

/** Splits a body into payloads for the adapter's format. Text payloads are never split. */
export function splitPayloads(adapter: Adapter, body: Buffer, contentType = ''): Buffer[] {
  if (adapter.format === 'text') return [body];
  if (contentType.includes('ndjson') || isNdjson(body)) {
    return body
      .toString('utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => Buffer.from(l));
  }
  return [body];
}

/**
 * Payloads of a recorded file (for `clutch parse` and `clutch replay`): a text source's file is one
 * payload; a JSON stream source's file is an array of payloads, NDJSON, or one payload; a document
 * source's file is one document.
 */
export function payloadsOfFile(adapter: Adapter, content: Buffer): Buffer[] {
  if (adapter.format === 'text' || adapter.kind === 'document') return [content];
  const text = content.toString('utf8').trimStart();
  if (text.startsWith('[')) {
    try {
      const items = JSON.parse(text) as unknown;
      if (Array.isArray(items)) return items.map((i) => Buffer.from(JSON.stringify(i)));
    } catch {
      /* not a JSON array: the adapter reports the error */
    }
  }
  return splitPayloads(adapter, content);
}
