// Players: stable ids (SteamID64), the side each one was last seen on, and the team of the match they
// belong to. Which team is on CT is decided by where its players are, not by the "Team playing"
// lines: right after halftime those still name the old sides (seen in real logs).
import type { PlayerRef } from '@clutch/core';
import { slug } from '../util.ts';
import { defined } from './emit.ts';
import type { RawPlayer } from './lines.ts';
import { LIMITS, type Match, type PlayerInfo, type State } from './state.ts';

const STEAM64_BASE = 76561197960265728n;
const TV_BOTS = new Set(['GOTV', 'CSTV', 'SourceTV']);

/** SteamID64 by `[U:1:N]`: a pure memo (the same dozen ids appear on thousands of lines), bounded. */
const steamIds = new Map<string, string>();

/** SteamID64 from `[U:1:N]` (or legacy `STEAM_X:Y:Z`); bots `bot-<name>`; anyone else a slug of the name. */
export function playerId(p: RawPlayer): string {
  const s = p.steam;
  const known = steamIds.get(s);
  if (known) return known;
  if (s.startsWith('[U:1:') && s.endsWith(']')) {
    const n = s.slice(5, -1);
    if (/^\d{1,10}$/.test(n)) {
      const id = (STEAM64_BASE + BigInt(n)).toString();
      if (steamIds.size >= 4096) steamIds.clear();
      steamIds.set(s, id);
      return id;
    }
  }
  const legacy = /^STEAM_[0-5]:([01]):(\d{1,10})$/.exec(s);
  if (legacy) return (STEAM64_BASE + BigInt(legacy[2]!) * 2n + BigInt(legacy[1]!)).toString();
  return s === 'BOT' ? `bot-${slug(p.name)}` : slug(p.name);
}

export function steam64(accountId: number): string {
  return (STEAM64_BASE + BigInt(accountId)).toString();
}

export function isTvBot(p: RawPlayer): boolean {
  return p.steam === 'BOT' && TV_BOTS.has(p.name);
}

/** Canonical side name: ct, t, unassigned, spectator. */
export function sideName(side: string): string {
  return side === 'TERRORIST' ? 't' : side.toLowerCase();
}

const playing = (side: string | undefined): side is 'CT' | 'TERRORIST' => side === 'CT' || side === 'TERRORIST';

/** Sides from player majority: a team whose players mostly stand on T is on T. */
export function refreshSides(st: State, m: Match): void {
  if (!m.dirty) return;
  let keep = 0;
  let swap = 0;
  for (const id in st.players) {
    const p = st.players[id]!;
    if (p.t === undefined || !playing(p.s)) continue;
    if ((p.s === 'CT') === (p.t === m.ct)) keep++;
    else swap++;
  }
  if (swap > keep) m.ct = m.ct === 0 ? 1 : 0;
  m.dirty = false;
}

/** Index of the team now playing `side`. */
export function teamOn(st: State, m: Match, side: 'CT' | 'TERRORIST'): 0 | 1 {
  refreshSides(st, m);
  return side === 'CT' ? m.ct : m.ct === 0 ? 1 : 0;
}

function evict(st: State): void {
  const ids = Object.keys(st.players);
  if (ids.length < LIMITS.players) return;
  const spare = ids.find((id) => st.players[id]!.t === undefined) ?? ids[0]!;
  delete st.players[spare];
}

/** Sets a player's side; a player of no team who starts playing joins the team on that side. */
export function setSide(st: State, info: PlayerInfo, side: string): void {
  if (info.s === side) return;
  info.s = side;
  const m = st.match;
  if (!m) return;
  if (info.t !== undefined) m.dirty = true;
  else if (playing(side)) info.t = teamOn(st, m, side);
}

/** Records a player seen on a line (name, side) and returns its id and record. */
export function track(st: State, raw: RawPlayer): { id: string; info: PlayerInfo } {
  const id = playerId(raw);
  let info = st.players[id];
  if (!info) {
    evict(st);
    info = st.players[id] = { n: raw.name };
  } else if (info.n !== raw.name) info.n = raw.name;
  // '' (still connecting) and Console say nothing about the side
  if (raw.team === 'CT' || raw.team === 'TERRORIST' || raw.team === 'Unassigned' || raw.team === 'Spectator') setSide(st, info, raw.team);
  return { id, info };
}

export function refOf(st: State, id: string, info: PlayerInfo | undefined): PlayerRef {
  const t = info?.t;
  return defined({
    id,
    name: (info?.n ?? id).slice(0, 128),
    team: t !== undefined && st.match ? st.match.teams[t].id : undefined,
    side: info?.s ? sideName(info.s) : undefined,
  });
}

/** Tracks a player and returns their reference. */
export function ref(st: State, raw: RawPlayer): PlayerRef {
  const { id, info } = track(st, raw);
  return refOf(st, id, info);
}

/** At the live start: every player on a side joins the team on that side; nobody else is on a team. */
export function assignTeams(st: State, m: Match): void {
  for (const id in st.players) {
    const p = st.players[id]!;
    if (p.s === 'CT') p.t = m.ct;
    else if (p.s === 'TERRORIST') p.t = m.ct === 0 ? 1 : 0;
    else delete p.t;
  }
  m.dirty = false;
}
