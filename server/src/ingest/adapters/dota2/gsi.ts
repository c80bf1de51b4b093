// Dota 2 Game State Integration: the client (player or spectator) POSTs its whole state on every
// change. State, not events: each payload is diffed against the previous one of the same match. The
// first payload of a match only reports state (lifecycle, score, player snapshots): kills, buildings
// and draft picks are derived from differences, and nothing differs yet.
import type { PlayerRef } from '@clutch/core';
import { ParseError } from '../errors.ts';
import type { Adapter, AdapterContext, Draft, ParseOutput } from '../types.ts';
import { addMs, isObj, parseJson, slug, stableKey } from '../util.ts';
import { matchIdOf, matchNumber, otherSide, parseBuilding, playerRef, SIDES, teamRef, type Side } from './common.ts';
import { compactTime, makeDraft, type Target, type When } from './draft.ts';
import { GSI, readSnapshot, type GsiPlayer, type Snapshot } from './gsi-read.ts';

const IN_GAME = new Set(['DOTA_GAMERULES_STATE_PRE_GAME', 'DOTA_GAMERULES_STATE_GAME_IN_PROGRESS', 'DOTA_GAMERULES_STATE_POST_GAME']);
const POST_GAME = 'DOTA_GAMERULES_STATE_POST_GAME';
/** Most kills of one victim credited from one payload: a bound against absurd kill-list jumps. */
const MAX_KILL_STEP = 10;
const MAX_REMEMBERED = 48;

interface PlayerMemo {
  k?: number;
  d?: number;
  a?: number;
  lvl?: number;
  kl: Record<string, number>;
}

export interface GsiState {
  matchId?: string;
  /** Match id made for a game without one (lobby, demo), and the game_time it was last seen at. */
  fallback?: { id: string; gameTime: number };
  baseline: boolean;
  started: boolean;
  ended: boolean;
  score?: [number, number];
  minute?: number;
  /** Buildings still standing, by owner, as of the last payload that had that owner's block. */
  buildings: Partial<Record<Side, string[]>>;
  draft: string[];
  players: Record<string, PlayerMemo>;
  events: string[];
}

const fresh = (matchId?: string): GsiState => ({ matchId, baseline: false, started: false, ended: false, buildings: {}, draft: [], players: {}, events: [] });

function resolveMatchId(snap: Snapshot, state: GsiState, ctx: AdapterContext): { id: string; fallback?: GsiState['fallback'] } {
  const raw = snap.matchNumber;
  if (raw !== undefined && raw !== '0' && raw !== 0) return { id: matchIdOf(matchNumber(GSI, raw, '/map/matchid')) };
  // No match id (local lobby, demo hero): name the game after the stream and its start time, and
  // keep that name while game_time keeps growing.
  const gameTime = snap.gameTime ?? 0;
  if (state.fallback && gameTime >= state.fallback.gameTime) return { id: state.fallback.id, fallback: { id: state.fallback.id, gameTime } };
  if (snap.timestamp === undefined || snap.timestamp <= 0 || snap.timestamp > 1e11)
    throw new ParseError(GSI, 'map.matchid is missing or 0 and provider.timestamp is absent: cannot name the match', '/map/matchid');
  const id = `dota2-${slug(ctx.streamId)}-${compactTime(new Date((snap.timestamp - gameTime) * 1000).toISOString())}`;
  return { id, fallback: { id, gameTime } };
}

function whenOf(snap: Snapshot, ctx: AdapterContext, gameTimeS?: number): When {
  const sane = snap.timestamp !== undefined && snap.timestamp > 0 && snap.timestamp < 1e11;
  // Events carry map.game_time; the payload's clock is map.clock_time: shift by their difference.
  const lag = gameTimeS !== undefined && snap.gameTime !== undefined ? Math.max(0, snap.gameTime - gameTimeS) : 0;
  const occurredAt = sane ? new Date((snap.timestamp! - lag) * 1000).toISOString() : ctx.receivedAt;
  const clock = snap.clock === undefined ? undefined : snap.clock - lag;
  return clock !== undefined && clock >= 0 ? { occurredAt, gameTime: clock * 1000 } : { occurredAt };
}

const refOf = (p: GsiPlayer): PlayerRef => playerRef(p.id, p.name, p.side, p.hero);

export const dota2Gsi: Adapter<GsiState> = {
  source: GSI,
  title: 'dota2',
  kind: 'stream',
  format: 'json',
  description: 'Dota 2 Game State Integration POSTs (playing or spectating); events are derived by diffing consecutive states',
  initialState: () => fresh(),
  parse(payload: Buffer, prev: GsiState, ctx: AdapterContext): ParseOutput<GsiState> {
    const root = parseJson(GSI, payload);
    if (!isObj(root)) throw new ParseError(GSI, 'expected a JSON object (one GSI state)', '/');
    const snap = readSnapshot(root);
    // Menus and heartbeats outside a game carry no map: nothing to say about any match.
    if (root.map === undefined || root.map === null) return { state: prev, drafts: [] };
    if (!isObj(root.map)) throw new ParseError(GSI, 'expected an object', '/map');
    const { id, fallback } = resolveMatchId(snap, prev, ctx);
    const state: GsiState = prev.matchId === id ? structuredClone(prev) : fresh(id);
    if (fallback) state.fallback = fallback;
    const drafts = diff(snap, state, { matchId: id }, ctx);
    state.baseline = true;
    return { state, drafts };
  },
};

function diff(snap: Snapshot, state: GsiState, target: Target, ctx: AdapterContext): Draft[] {
  const now = whenOf(snap, ctx);
  const inGame = snap.gameState !== undefined && IN_GAME.has(snap.gameState);
  const out: Draft[] = [];
  const startsNow = !state.started && inGame && (snap.gameState !== 'DOTA_GAMERULES_STATE_PRE_GAME' || snap.players.length > 0);
  if (startsNow) {
    // Joined mid-game: the horn sounded clock_time seconds before this payload.
    const horn: When = now.gameTime !== undefined ? { occurredAt: addMs(now.occurredAt, -now.gameTime), gameTime: 0 } : now;
    out.push(makeDraft(target, 'match.started', { teams: [teamRef('radiant'), teamRef('dire')] }, horn, 'match.started'));
    state.started = true;
  }
  diffDraft(snap, state, target, now, out);
  diffKills(snap, state, target, now, out);
  diffBuildings(snap, state, target, now, out);
  roshanEvents(snap, state, target, ctx, out);
  diffScore(snap, state, target, now, out);
  const endsNow = !state.ended && snap.gameState === POST_GAME;
  if (inGame) snapshots(snap, state, target, now, endsNow, out);
  if (endsNow) {
    const winner = snap.winTeam === 'radiant' || snap.winTeam === 'dire' ? snap.winTeam : undefined;
    const score = snap.score ?? state.score ?? [0, 0];
    const durationMs = now.gameTime !== undefined ? Math.round(now.gameTime) : undefined;
    out.push(makeDraft(target, 'match.ended', { ...(winner ? { winner } : {}), score, ...(durationMs !== undefined ? { durationMs } : {}) }, now, 'match.ended'));
    state.ended = true;
  }
  rememberPlayers(snap, state);
  return out;
}

function diffDraft(snap: Snapshot, state: GsiState, target: Target, now: When, out: Draft[]): void {
  for (const e of snap.draft) {
    const k = `${e.side}:${e.kind}:${e.slot}`;
    if (state.draft.includes(k)) continue;
    if (state.draft.length < MAX_REMEMBERED) state.draft.push(k);
    if (!state.baseline) continue;
    const draftWhen = { occurredAt: now.occurredAt };
    if (e.kind === 'pick') out.push(makeDraft(target, 'draft.picked', { team: e.side, character: e.hero, characterId: String(e.heroId) }, draftWhen, `draft:${k}`));
    else out.push(makeDraft(target, 'draft.banned', { team: e.side, character: e.hero, characterId: String(e.heroId) }, draftWhen, `draft:${k}`));
  }
}

/** Spectators see every player's kill list (victim index → count): a rise is a kill of that victim. */
function diffKills(snap: Snapshot, state: GsiState, target: Target, now: When, out: Draft[]): void {
  if (!state.baseline || !snap.spectating) return;
  const bySlot = new Map(snap.players.map((p) => [p.slot, p]));
  const found: Draft[] = [];
  for (const killer of snap.players) {
    const memo = state.players[killer.slot];
    if (!memo) continue;
    for (const [victimIndex, count] of Object.entries(killer.killList)) {
      const victim = bySlot.get(`p${victimIndex}`);
      const before = memo.kl[victimIndex] ?? 0;
      if (!victim || count <= before) continue;
      for (let n = before + 1; n <= Math.min(count, before + MAX_KILL_STEP); n++) {
        const payload = { killer: refOf(killer), victim: refOf(victim), ...(killer.side && killer.side === victim.side ? { teamKill: true } : {}) };
        // Slots, not account ids, name the pair: unique within a payload even if two players share an id.
        found.push(makeDraft(target, 'player.killed.player', payload, now, `kill:${killer.slot}:${victim.slot}:${n}`));
      }
    }
  }
  // The only kill seen while the score was still 0–0 is first blood.
  const [first] = found;
  if (found.length === 1 && first && state.score && state.score[0] + state.score[1] === 0) (first.payload as { firstBlood?: boolean }).firstBlood = true;
  out.push(...found);
}

function diffBuildings(snap: Snapshot, state: GsiState, target: Target, now: When, out: Draft[]): void {
  for (const side of SIDES) {
    const current = snap.buildings[side];
    // An empty block says nothing (a glitch would otherwise "destroy" every building at once).
    if (!current || Object.keys(current).length === 0) continue;
    const before = state.buildings[side];
    if (before && state.baseline) {
      for (const name of before) {
        const health = current[name];
        if (health !== undefined && health > 0) continue;
        const b = parseBuilding(name);
        if (!b) continue;
        // Keyed by owner and lane/tier, like OpenDota's building kills, so both sources name one fact alike.
        out.push(makeDraft(target, 'objective.taken', { team: otherSide(b.owner), objective: b.objective, subtype: b.subtype }, now, `building:${b.owner}:${b.subtype}`));
      }
    }
    state.buildings[side] = Object.entries(current)
      .filter(([, h]) => h > 0)
      .map(([n]) => n);
  }
}

function roshanEvents(snap: Snapshot, state: GsiState, target: Target, ctx: AdapterContext, out: Draft[]): void {
  const bySlot = new Map(snap.players.map((p) => [p.slot, p]));
  for (const e of snap.events) {
    if (e.type !== 'roshan_killed') continue;
    const key = `roshan:${e.gameTime ?? 'x'}:${e.team ?? ''}`;
    if (state.events.includes(key)) continue;
    state.events = [...state.events, key].slice(-MAX_REMEMBERED);
    const found = snap.spectating && e.playerIndex !== undefined ? bySlot.get(`p${e.playerIndex}`) : undefined;
    const killer = found && (!e.team || found.side === e.team) ? found : undefined;
    const payload = { ...(e.team ? { team: e.team } : {}), objective: 'roshan' as const, ...(killer ? { player: refOf(killer) } : {}) };
    out.push(makeDraft(target, 'objective.taken', payload, whenOf(snap, ctx, e.gameTime), key));
  }
}

function diffScore(snap: Snapshot, state: GsiState, target: Target, now: When, out: Draft[]): void {
  const s = snap.score;
  if (!s) return;
  const changed = state.score ? state.score[0] !== s[0] || state.score[1] !== s[1] : s[0] + s[1] > 0;
  state.score = s;
  // Scores only grow, so the pair itself names the fact.
  if (changed) out.push(makeDraft(target, 'score.changed', { score: s }, now, `score:${s[0]}:${s[1]}`));
}

/** player.state when a player's K/D/A or level changes, once per game minute, at the first payload and at the end. */
function snapshots(snap: Snapshot, state: GsiState, target: Target, now: When, endsNow: boolean, out: Draft[]): void {
  const minute = now.gameTime !== undefined ? Math.floor(now.gameTime / 60000) : undefined;
  const newMinute = minute !== undefined && (state.minute === undefined || minute > state.minute);
  if (newMinute) state.minute = minute;
  const clock = now.gameTime ?? 'x';
  for (const p of snap.players) {
    const m = state.players[p.slot];
    const changed = !m || m.k !== p.kills || m.d !== p.deaths || m.a !== p.assists || m.lvl !== p.level;
    if (!changed && !newMinute && !endsNow) continue;
    const stats = playerStats(p);
    const position = p.x !== undefined && p.y !== undefined ? { x: p.x, y: p.y } : undefined;
    const payload = { player: refOf(p), stats, ...(position ? { position } : {}), ...(p.items.length ? { items: p.items } : {}) };
    out.push(makeDraft(target, 'player.state', payload, now, `ps:${p.slot}:${clock}:${stableKey(JSON.stringify(payload))}`));
  }
  if (!(newMinute || endsNow) || !snap.spectating) return;
  for (const side of SIDES) {
    const team = snap.players.filter((p) => p.side === side);
    if (!team.length) continue;
    const worth = team.every((p) => p.netWorth !== undefined) ? team.reduce((a, p) => a + p.netWorth!, 0) : undefined;
    const kills = snap.score?.[side === 'radiant' ? 0 : 1];
    const stats = { ...(kills !== undefined ? { kills } : {}), ...(worth !== undefined ? { gold: worth } : {}) };
    out.push(makeDraft(target, 'team.state', { team: teamRef(side), stats }, now, `ts:${side}:${clock}:${stableKey(JSON.stringify(stats))}`));
  }
}

function playerStats(p: GsiPlayer) {
  const s = {
    kills: p.kills,
    deaths: p.deaths,
    assists: p.assists,
    lastHits: p.lastHits,
    denies: p.denies,
    gold: p.gold,
    netWorth: p.netWorth,
    level: p.level,
    xp: p.xp,
    health: p.health,
    alive: p.alive,
  };
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
}

function rememberPlayers(snap: Snapshot, state: GsiState): void {
  for (const p of snap.players) state.players[p.slot] = { k: p.kills, d: p.deaths, a: p.assists, lvl: p.level, kl: p.killList };
  // JSON drops undefined fields anyway; keep the memo small and serialisable.
  for (const m of Object.values(state.players)) for (const k of ['k', 'd', 'a', 'lvl'] as const) if (m[k] === undefined) delete m[k];
}
