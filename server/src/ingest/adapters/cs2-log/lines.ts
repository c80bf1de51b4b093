// CS2 server log lines → typed messages. Stateless and allocation-light: this runs once per line of
// every body a game server POSTs, so it avoids regexes with unbounded nested quantifiers (every
// pattern below is anchored and length-bounded) and finds player references with indexOf, not
// backtracking. Lines it does not recognise return undefined: CS2 adds line kinds over time.

/** A player reference as logged: `"name<uid><steam><team>"` (team absent in "switched" lines). */
export interface RawPlayer {
  name: string;
  steam: string;
  /** CT, TERRORIST, Unassigned, Spectator, '' (connecting) or Console. */
  team: string;
}

export interface Pos {
  x: number;
  y: number;
  z: number;
}

export type Msg =
  | { k: 'kill'; killer: RawPlayer; kpos: Pos; victim: RawPlayer; vpos: Pos; weapon: string; flags: string[] }
  /** Death with no killer: suicide (fall, own grenade, disconnect mid-round) or the bomb (`bomb`). */
  | { k: 'suicide'; player: RawPlayer; pos: Pos; weapon: string; bomb?: true }
  | { k: 'attack'; attacker: RawPlayer; apos: Pos; victim: RawPlayer; vpos: Pos; weapon: string; damage: number; armorDamage: number; health: number; armor: number; hitgroup: string }
  | { k: 'assist'; assister: RawPlayer; victim: RawPlayer; flash: boolean }
  | { k: 'blind'; victim: RawPlayer; attacker: RawPlayer; seconds: number; entindex: number }
  | { k: 'threw'; player: RawPlayer; grenade: string; pos: Pos }
  | { k: 'triggered'; player: RawPlayer; event: string; site?: string }
  | { k: 'purchased'; player: RawPlayer; item: string }
  | { k: 'money'; player: RawPlayer; delta: number; money: number; reason?: string; item?: string }
  | { k: 'switched'; player: RawPlayer; from: string; to: string }
  | { k: 'connected'; player: RawPlayer }
  | { k: 'disconnected'; player: RawPlayer; reason: string }
  /** Any other line about one player (picked up, say, left buyzone…): only its side tag is used. */
  | { k: 'seen'; player: RawPlayer }
  | { k: 'world'; event: string; map?: string; ct?: number; t?: number }
  | { k: 'notice'; side: string; notice: string; ct: number; t: number }
  | { k: 'teamName'; side: string; name: string }
  | { k: 'status'; ct: number; t: number; map: string; roundsPlayed: number }
  | { k: 'gameOver'; mode: string; ct: number; t: number; minutes: number }
  | { k: 'pause'; on: boolean; reason: string }
  | { k: 'loadingMap'; map: string }
  | { k: 'jsonBegin' }
  | { k: 'jsonEnd' }
  | { k: 'jsonField'; name: string; value: string }
  | { k: 'cvarsStart' }
  | { k: 'cvarsEnd' };

// ---- line prefix ---------------------------------------------------------------------------------

export interface Stamp {
  iso: string;
  ms: number;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function num2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Parses `MM/DD/YYYY - HH:MM:SS` at `o` (log times have no zone: read as UTC). Returns undefined
 * when anything is out of range, so a corrupted line is rejected instead of dated wrongly.
 */
function stampAt(s: string, o: number, millis: number): Stamp | undefined {
  const mo = num2(s, o);
  const d = num2(s, o + 3);
  const y = num2(s, o + 6) * 100 + num2(s, o + 8);
  const h = num2(s, o + 13);
  const mi = num2(s, o + 16);
  const se = num2(s, o + 19);
  if (s[o + 2] !== '/' || s[o + 5] !== '/' || s.slice(o + 10, o + 13) !== ' - ' || s[o + 15] !== ':' || s[o + 18] !== ':') return undefined;
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS[mo - 1]! || y < 1970 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, se, millis);
  if (new Date(ms).getUTCDate() !== d) return undefined; // 29 February of a common year
  return { iso: new Date(ms).toISOString(), ms };
}

export interface Prefix {
  stamp: Stamp;
  /** Index where the message starts. */
  at: number;
}

/**
 * The two line shapes CS2 writes: `L 01/19/2026 - 18:55:38: msg` (log files, UDP logaddress) and
 * `01/19/2026 - 18:55:38.123 - msg` (HTTP logaddress bodies, with milliseconds and no "L ").
 * `cache` remembers the last timestamp text: most lines share their second with the previous one.
 */
export function parsePrefix(s: string, cache: { text: string; stamp?: Stamp }): Prefix | undefined {
  const o = s.charCodeAt(0) === 76 && s.charCodeAt(1) === 32 ? 2 : 0; // "L "
  let p = o + 21;
  let millis = 0;
  if (s.charCodeAt(p) === 46) {
    const a = num2(s, p + 1);
    const b = s.charCodeAt(p + 3) - 48;
    if (a < 0 || b < 0 || b > 9) return undefined;
    millis = a * 10 + b;
    p += 4;
  }
  let at: number;
  if (s.charCodeAt(p) === 58 && s.charCodeAt(p + 1) === 32) at = p + 2;
  else if (s.startsWith(' - ', p)) at = p + 3;
  else return undefined;
  if (!cache.stamp || p - o !== cache.text.length || !s.startsWith(cache.text, o)) {
    const stamp = stampAt(s, o, millis);
    if (!stamp) return undefined;
    cache.text = s.slice(o, p);
    cache.stamp = stamp;
  }
  return { stamp: cache.stamp, at };
}

// ---- pieces --------------------------------------------------------------------------------------

/** Parses `"name<uid><steam><team>"` (or with `groups` = 2, without team) at s[i]; end = after the quote. */
export function playerAt(s: string, i: number, groups: 2 | 3 = 3): { p: RawPlayer; end: number } | undefined {
  if (s.charCodeAt(i) !== 34) return undefined;
  const close = s.indexOf('>"', i + 1);
  if (close < 0) return undefined;
  const parts: string[] = [];
  let right = close; // index of the '>' closing the current group
  let open = -1;
  for (let g = 0; g < groups; g++) {
    open = s.lastIndexOf('<', right);
    if (open <= i) return undefined;
    parts.push(s.slice(open + 1, right));
    if (g < groups - 1) {
      right = open - 1;
      if (s.charCodeAt(right) !== 62) return undefined;
    }
  }
  const team = groups === 3 ? parts[0]! : '';
  const steam = parts[groups - 2]!;
  const uid = parts[groups - 1]!;
  if (!/^\d{1,10}$/.test(uid) || steam.length > 64 || team.length > 32 || steam.includes('>') || team.includes('>')) return undefined;
  return { p: { name: s.slice(i + 1, open), steam, team }, end: close + 2 };
}

const NUM = '(-?\\d{1,7}(?:\\.\\d{1,6})?)';
const POS_RE = new RegExp(`^\\[${NUM} ${NUM} ${NUM}\\]`);

export function posAt(s: string, i: number): { pos: Pos; end: number } | undefined {
  if (s.charCodeAt(i) !== 91) return undefined;
  const m = POS_RE.exec(s.slice(i, i + 64));
  if (!m) return undefined;
  return { pos: { x: Number(m[1]), y: Number(m[2]), z: Number(m[3]) }, end: i + m[0].length };
}
