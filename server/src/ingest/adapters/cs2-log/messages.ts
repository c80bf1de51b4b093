// Message text (after the timestamp) → Msg. Player lines are dispatched on the verb that follows the
// subject reference; everything else on its fixed start. Every regex is anchored and bounded.
import { playerAt, posAt, type Msg, type Pos, type RawPlayer } from './lines.ts';

const POS = '\\[(-?\\d{1,7}(?:\\.\\d{1,6})?) (-?\\d{1,7}(?:\\.\\d{1,6})?) (-?\\d{1,7}(?:\\.\\d{1,6})?)\\]';
const KILL_TAIL = new RegExp(`^ ${POS} with "([^"]{1,64})"(?: \\(([a-z ]{1,128})\\))?$`);
const ATTACK_TAIL = new RegExp(
  `^ ${POS} with "([^"]{1,64})" \\(damage "(\\d{1,6})"\\) \\(damage_armor "(\\d{1,6})"\\) \\(health "(\\d{1,6})"\\) \\(armor "(\\d{1,6})"\\) \\(hitgroup "([^"]{1,32})"\\)$`,
);
const SUICIDE_TAIL = /^ committed suicide with "([^"]{1,64})"$/;
const BLIND_HEAD = /^ blinded for (\d{1,3}(?:\.\d{1,4})?) by /;
const BLIND_TAIL = /^ from \w{1,32} entindex (\d{1,7})$/;
const THREW = new RegExp(`^ threw (\\w{1,32}) ${POS}`);
const TRIGGERED = /^ triggered "(\w{1,64})"(?: at bombsite (\w{1,8}))?/;
const PURCHASED = /^ purchased "([^"]{1,64})"$/;
const MONEY = /^ money change (\d{1,9})([+-])(\d{1,9}) = \$(\d{1,9})(?: \(tracked\))?(?: \((purchase|acquire): ([^)]{1,64})\))?$/;
const SWITCHED = /^ switched from team <(\w{0,32})> to <(\w{0,32})>$/;
const DISCONNECTED = /^ disconnected \(reason "([^"]{0,128})"\)$/;
const WORLD = /^World triggered "([\w()]{1,64})"(?: on "([^"]{1,64})")?(?: \(CT "(\d{1,3})"\) \(T "(\d{1,3})"\))?$/;
const NOTICE = /^Team "(CT|TERRORIST)" triggered "(\w{1,64})" \(CT "(\d{1,3})"\) \(T "(\d{1,3})"\)$/;
const TEAM_NAME = /^(?:MatchStatus: )?Team playing "(CT|TERRORIST)": (.{0,128})$/;
const STATUS = /^MatchStatus: Score: (\d{1,3}):(\d{1,3}) on map "([^"]{0,64})" RoundsPlayed: (-?\d{1,3})$/;
const GAME_OVER = /^Game Over: (\S{1,32}) .{0,160}?score (\d{1,3}):(\d{1,3}) after (\d{1,5}) min$/;
const PAUSE = /^Match pause is (enabled|disabled) - (.{1,64})$/;
const LOADING = /^Loading map "([^"]{1,64})"/;
const JSON_FIELD = /^"(\w{1,32})" : "([^"]{0,2048})",?$/;

const pos = (m: RegExpExecArray, i: number): Pos => ({ x: Number(m[i]), y: Number(m[i + 1]), z: Number(m[i + 2]) });

/** Lines whose subject is at a position: kills, attacks, suicides, bomb deaths. */
function positioned(s: string, subject: RawPlayer, at: number): Msg | undefined {
  const p = posAt(s, at);
  if (!p) return undefined;
  if (s.startsWith(' killed "', p.end)) {
    const v = playerAt(s, p.end + 8);
    const m = v && KILL_TAIL.exec(s.slice(v.end));
    if (!v || !m) return undefined;
    return { k: 'kill', killer: subject, kpos: p.pos, victim: v.p, vpos: pos(m, 1), weapon: m[4]!, flags: m[5] ? m[5].split(' ') : [] };
  }
  if (s.startsWith(' attacked "', p.end)) {
    const v = playerAt(s, p.end + 10);
    const m = v && ATTACK_TAIL.exec(s.slice(v.end));
    if (!v || !m) return undefined;
    const [damage, armorDamage, health, armor] = [m[5], m[6], m[7], m[8]].map(Number) as [number, number, number, number];
    return { k: 'attack', attacker: subject, apos: p.pos, victim: v.p, vpos: pos(m, 1), weapon: m[4]!, damage, armorDamage, health, armor, hitgroup: m[9]! };
  }
  const rest = s.slice(p.end);
  const m = SUICIDE_TAIL.exec(rest);
  if (m) return { k: 'suicide', player: subject, pos: p.pos, weapon: m[1]! };
  if (rest === ' was killed by the bomb.') return { k: 'suicide', player: subject, pos: p.pos, weapon: 'planted_c4', bomb: true };
  return undefined; // "killed other" (chickens, props) and unknown shapes
}

function assistOrBlind(s: string, subject: RawPlayer, at: number): Msg | undefined {
  const flash = s.startsWith(' flash-assisted killing "', at);
  if (flash || s.startsWith(' assisted killing "', at)) {
    const v = playerAt(s, at + (flash ? 24 : 18));
    return v && v.end === s.length ? { k: 'assist', assister: subject, victim: v.p, flash } : undefined;
  }
  const head = BLIND_HEAD.exec(s.slice(at, at + 32));
  if (!head) return undefined;
  const a = playerAt(s, at + head[0].length);
  const tail = a && BLIND_TAIL.exec(s.slice(a.end));
  if (!a || !tail) return undefined;
  return { k: 'blind', victim: subject, attacker: a.p, seconds: Number(head[1]), entindex: Number(tail[1]) };
}

function simple(rest: string, player: RawPlayer): Msg | undefined {
  let m: RegExpExecArray | null;
  if ((m = MONEY.exec(rest))) {
    const delta = Number(m[3]) * (m[2] === '-' ? -1 : 1);
    const reason = m[5] ? `${m[5]}: ${m[6]}` : undefined;
    return { k: 'money', player, delta, money: Number(m[4]), ...(reason ? { reason } : {}), ...(m[5] === 'purchase' ? { item: m[6]! } : {}) };
  }
  if ((m = PURCHASED.exec(rest))) return { k: 'purchased', player, item: m[1]! };
  if ((m = THREW.exec(rest))) return { k: 'threw', player, grenade: m[1]!, pos: pos(m, 2) };
  if ((m = TRIGGERED.exec(rest))) return { k: 'triggered', player, event: m[1]!, ...(m[2] ? { site: m[2] } : {}) };
  if ((m = DISCONNECTED.exec(rest))) return { k: 'disconnected', player, reason: m[1]! };
  if (rest.startsWith(' connected, address ')) return { k: 'connected', player };
  return { k: 'seen', player };
}

/** A line whose subject is a player: `"name<uid><steam><team>" verb …`. */
function playerLine(s: string): Msg | undefined {
  if (s.includes('" switched from team <')) {
    const sw = playerAt(s, 0, 2);
    const m = sw && SWITCHED.exec(s.slice(sw.end));
    return sw && m ? { k: 'switched', player: sw.p, from: m[1]!, to: m[2]! } : undefined;
  }
  const sub = playerAt(s, 0);
  if (!sub || s.charCodeAt(sub.end) !== 32) return undefined;
  if (s.charCodeAt(sub.end + 1) === 91) return positioned(s, sub.p, sub.end + 1);
  return assistOrBlind(s, sub.p, sub.end) ?? simple(s.slice(sub.end), sub.p);
}

function worldLine(s: string): Msg | undefined {
  const m = WORLD.exec(s);
  if (!m) return undefined;
  return { k: 'world', event: m[1]!, ...(m[2] ? { map: m[2] } : {}), ...(m[3] ? { ct: Number(m[3]), t: Number(m[4]) } : {}) };
}

/** Lines not about one player: the match lifecycle. */
function serverLine(s: string): Msg | undefined {
  let m: RegExpExecArray | null;
  switch (s.charCodeAt(0)) {
    case 87: // W
      return worldLine(s);
    case 84: // T
      if ((m = NOTICE.exec(s))) return { k: 'notice', side: m[1]!, notice: m[2]!, ct: Number(m[3]), t: Number(m[4]) };
      if ((m = TEAM_NAME.exec(s))) return { k: 'teamName', side: m[1]!, name: m[2]!.trim() };
      return undefined;
    case 77: // M
      if ((m = STATUS.exec(s))) return { k: 'status', ct: Number(m[1]), t: Number(m[2]), map: m[3]!, roundsPlayed: Number(m[4]) };
      if ((m = TEAM_NAME.exec(s))) return { k: 'teamName', side: m[1]!, name: m[2]!.trim() };
      if ((m = PAUSE.exec(s))) return { k: 'pause', on: m[1] === 'enabled', reason: m[2]!.trim() };
      return undefined;
    case 71: // G
      if ((m = GAME_OVER.exec(s))) return { k: 'gameOver', mode: m[1]!, ct: Number(m[2]), t: Number(m[3]), minutes: Number(m[4]) };
      return undefined;
    case 76: // L
      if ((m = LOADING.exec(s))) return { k: 'loadingMap', map: m[1]! };
      return undefined;
    default:
      if (s === 'JSON_BEGIN{') return { k: 'jsonBegin' };
      if (s === '}}JSON_END') return { k: 'jsonEnd' };
      if (s === 'server cvars start') return { k: 'cvarsStart' };
      if (s === 'server cvars end') return { k: 'cvarsEnd' };
      return undefined;
  }
}

const JSON_OTHER = /^(?:"\w{1,32}"\s?:|[{}])/;

/**
 * A line inside a JSON_BEGIN…JSON_END block: a field, the end, null for other JSON syntax
 * (`"players" : {`, `}`), undefined when it is no JSON at all (the block's end line was lost).
 */
export function parseJsonLine(s: string): Msg | null | undefined {
  if (s === '}}JSON_END') return { k: 'jsonEnd' };
  const m = JSON_FIELD.exec(s);
  if (m) return { k: 'jsonField', name: m[1]!, value: m[2]! };
  return JSON_OTHER.test(s) && !s.includes('><') ? null : undefined;
}

/** The message of one line outside JSON blocks. */
export function parseMessage(s: string): Msg | undefined {
  return s.charCodeAt(0) === 34 ? playerLine(s) : serverLine(s);
}
