// Secrets some sources put in their payloads are removed before anything is stored: CS2 servers log
// their cvars at start-up, passwords included (sv_password, tv_password, rcon_password…). The raw
// topic keeps everything else byte for byte.
import type { SourceName } from './adapters/types.ts';

const CS2_SECRET_CVAR = /^(L \d\d\/\d\d\/\d{4} - \d\d:\d\d:\d\d: (?:server_cvar: )?"[A-Za-z0-9_]*(?:password|passwd|_token|setsteamaccount)[A-Za-z0-9_]*"(?: =)? )"[^"\r\n]*"/gim;

export function redact(source: SourceName, body: Buffer): Buffer {
  if (source !== 'cs2-log') return body;
  const text = body.toString('utf8');
  if (!/password|passwd|_token|setsteamaccount/i.test(text)) return body;
  return Buffer.from(text.replace(CS2_SECRET_CVAR, '$1"[redacted]"'));
}
