// The cs2-log adapter: CS2 dedicated-server log bodies (logaddress_add_http POSTs, or log files for
// `clutch parse`) → canonical events. A body is one or more lines; each line is complete (a line
// never spans bodies), a JSON round_stats block may. See docs/sources/cs2-log.md.
import { ParseError } from '../errors.ts';
import type { Adapter, AdapterContext, ParseOutput } from '../types.ts';
import { MAX_PAYLOAD_BYTES, slug, stableKey } from '../util.ts';
import { SOURCE, type Line, type Run } from './emit.ts';
import { parsePrefix, type Msg } from './lines.ts';
import { onGameOver, onLoadingMap, onNotice, onPause, onStatus, onTeamName, onWorld } from './lifecycle.ts';
import { parseJsonLine, parseMessage } from './messages.ts';
import { onPlayerLine } from './player-events.ts';
import { initialState, LIMITS, type State } from './state.ts';
import { onJsonBegin, onJsonEnd, onJsonField } from './stats.ts';

function handle(run: Run, msg: Msg, line: Line): void {
  if (onPlayerLine(run, msg, line)) return;
  switch (msg.k) {
    case 'world':
      return onWorld(run, msg, line);
    case 'notice':
      return onNotice(run, msg, line);
    case 'status':
      return onStatus(run, msg, line);
    case 'teamName':
      return onTeamName(run, msg);
    case 'gameOver':
      return onGameOver(run, msg, line);
    case 'pause':
      return onPause(run, msg, line);
    case 'loadingMap':
      return onLoadingMap(run, msg, line);
    case 'jsonBegin':
      return onJsonBegin(run);
    case 'jsonField':
      return onJsonField(run, msg.name, msg.value, line);
    case 'jsonEnd':
      return onJsonEnd(run);
    case 'cvarsStart':
      run.st.cvars = true;
      return;
    default:
      return;
  }
}

const CVAR = /^"[^"]{0,128}" = "/;

function handleMessage(run: Run, text: string, line: Line): void {
  const { st } = run;
  // Server cvars are never read: some are passwords (sv_password, tv_password, rcon tokens).
  if (st.cvars) {
    if (CVAR.test(text)) return;
    st.cvars = false; // "server cvars end", or the end line was lost: back to normal lines
    if (text === 'server cvars end') return;
  }
  if (st.stats) {
    const j = parseJsonLine(text);
    if (j !== undefined) {
      if (j) handle(run, j, line);
      return;
    }
    st.stats = undefined; // a normal line inside a block: its end line was lost, drop the block
  }
  const msg = parseMessage(text);
  if (msg) handle(run, msg, line);
}

function badLine(s: string, n: number): ParseError {
  return new ParseError(
    SOURCE,
    `not a CS2 log line: expected "L MM/DD/YYYY - HH:MM:SS: <message>" or "MM/DD/YYYY - HH:MM:SS.mmm - <message>" with a valid date, got ${JSON.stringify(s.slice(0, 28))}`,
    `line ${n}`,
  );
}

/** State from ingest is ours, but may be from an older adapter version: start over then. */
function usable(state: State | undefined): State {
  // A copy, so a rejected body leaves the caller's state as it was. JSON, not structuredClone: the
  // state is JSON by contract, and this is several times faster on small objects.
  return state && state.v === 1 && typeof state.players === 'object' ? (JSON.parse(JSON.stringify(state)) as State) : initialState();
}

/** Keeps the key counters of the body's last second: its identical lines may continue in the next body. */
function tailOf(occ: Map<string, number>, lastPrefix: string): Record<string, number> {
  const tail: Record<string, number> = {};
  let n = 0;
  for (const [text, count] of occ) {
    if (n >= LIMITS.tail) break;
    if (lastPrefix && text.startsWith(lastPrefix)) {
      tail[text] = count;
      n++;
    }
  }
  return tail;
}

function parse(payload: Buffer, prev: State, ctx: AdapterContext): ParseOutput<State> {
  if (payload.length > MAX_PAYLOAD_BYTES) throw new ParseError(SOURCE, `body larger than ${MAX_PAYLOAD_BYTES} bytes`);
  let text = payload.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const digest = stableKey(text);
  if (prev?.recent?.includes(digest)) return { state: prev, drafts: [] }; // the same body re-sent
  const st = usable(prev);
  const run: Run = { st, out: [], occ: new Map(Object.entries(st.tail)), stream: slug(ctx.streamId) };
  const cache = { text: '' };
  const lines = text.split('\n');
  let seen = 0;
  let lastLine = '';
  let lastAt = 0;
  for (let i = 0; i < lines.length; i++) {
    let s = lines[i]!;
    if (s.charCodeAt(s.length - 1) === 13) s = s.slice(0, -1);
    if (s.trim() === '') continue;
    const pre = parsePrefix(s, cache);
    if (!pre) throw badLine(s, i + 1);
    seen++;
    lastLine = s;
    lastAt = pre.at;
    // No event line is this long; skipping keeps every regex on bounded input.
    if (s.length > LIMITS.lineChars) continue;
    handleMessage(run, s.slice(pre.at).trimEnd(), { text: s, iso: pre.stamp.iso, ms: pre.stamp.ms, occ: -1 });
  }
  if (seen === 0) throw new ParseError(SOURCE, 'empty body: expected one or more log lines "L MM/DD/YYYY - HH:MM:SS: <message>"');
  st.recent = [...st.recent, digest].slice(-LIMITS.recent);
  st.tail = tailOf(run.occ, lastLine.slice(0, lastAt));
  return { state: st, drafts: run.out };
}

export const cs2LogAdapter: Adapter<State> = {
  source: SOURCE,
  title: 'cs2',
  kind: 'stream',
  format: 'text',
  description:
    'CS2 dedicated-server logs (logaddress_add_http bodies or log files): live matches only (warmup and knife rounds skipped) → rounds, kills, damage, flashes, grenades, bomb, economy, roster, round_stats snapshots.',
  initialState,
  parse,
};
