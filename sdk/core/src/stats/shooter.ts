// Round-based shooters (CS2, Valorant): per-round tracking for KAST, trades, opening duels,
// multi-kills, clutches and economy; cumulative per-player counters snapshotted at every round end
// (so `--per-round` output and backup restores — round 13 followed by round 12 again — work).
import type { PlayerRef, TypedEvent } from '../events.ts';
import { eventMs, player, reportTeamState, teamIndex } from './common.ts';
import type { PlayerAcc, PlayerCounters, RoundAcc, StatsState } from './model.ts';

/** Seconds within which a teammate's revenge kill makes a death "traded" (KAST). */
export const TRADE_WINDOW_MS = 5_000;
const UTILITY = new Set(['hegrenade', 'inferno', 'molotov', 'incgrenade', 'flashbang', 'smokegrenade']);
/** Valorant combat-score kill bonus by enemies alive before the kill (5..1). */
const KILL_POINTS = [0, 70, 90, 110, 130, 150];

/** Average money spent (or equipment value) per player that makes a buy: [eco below, force below]. */
export const BUY_THRESHOLDS = { cs2: [1_000, 3_500], valorant: [2_000, 3_900] } as const;

const IDENTITY = new Set(['id', 'name', 'team', 'character', 'role', 'rep']);

export function counters(p: PlayerAcc): PlayerCounters {
  const c: Record<string, unknown> = {};
  for (const k in p) if (!IDENTITY.has(k)) c[k] = (p as unknown as Record<string, unknown>)[k];
  if (p.clutchesWonVs) c['clutchesWonVs'] = [...p.clutchesWonVs];
  return c as unknown as PlayerCounters;
}

function inc(p: PlayerAcc, k: keyof PlayerCounters, by = 1): void {
  (p as unknown as Record<string, number>)[k] = ((p as unknown as Record<string, number | undefined>)[k] ?? 0) + by;
}

function newRound(s: StatsState, n: number, ms: number): RoundAcc {
  // Purchases in the freeze time (before Round_Start) belong to this round.
  const r: RoundAcc = { n, alive: {}, kills: {}, kast: {}, deaths: [], first: false, clutch: {}, hp: {}, spend: s.freeze ?? {}, startMs: ms, played: {} };
  s.freeze = undefined;
  // Everybody on a team of the match starts the round alive.
  for (const id of s.order) {
    if (teamIndex(s, s.players[id]!.team) < 0) continue;
    r.played[id] = true;
    r.alive[id] = true;
  }
  return r;
}

/** A player shows up in the round (joined late, or first seen now): they play it, alive unless killed. */
function present(r: RoundAcc | undefined, p: PlayerAcc): void {
  if (r && !r.played[p.id] && p.team !== undefined) {
    r.played[p.id] = true;
    r.alive[p.id] = true;
  }
}

function seen(s: StatsState, ref: PlayerRef): PlayerAcc {
  const p = player(s, ref);
  present(s.round, p);
  return p;
}

/** Rolls counters back to the end of round `completed` (a backup restore). */
function restore(s: StatsState, completed: number): void {
  const snap = completed > 0 ? s.history[completed - 1] : undefined;
  for (const id of s.order) {
    const p = s.players[id]!;
    for (const k of Object.keys(p)) if (!IDENTITY.has(k)) delete (p as unknown as Record<string, unknown>)[k];
    const c = snap?.[id];
    Object.assign(p, c ? { ...c, clutchesWonVs: c.clutchesWonVs ? [...c.clutchesWonVs] : undefined } : { kills: 0, deaths: 0, assists: 0 });
    if (p.clutchesWonVs === undefined) delete p.clutchesWonVs;
  }
  s.rounds.length = completed;
  s.history.length = completed;
  for (const t of s.teams) {
    if (t.roundSpend) t.roundSpend.length = completed;
    if (t.buys) t.buys.length = completed;
  }
  const last = s.rounds[completed - 1];
  s.teams.forEach((t, i) => (t.score = last ? last.score[i as 0 | 1] : 0));
}

function alive(s: StatsState, r: RoundAcc, teamId: string): string[] {
  const out: string[] = [];
  for (const id in r.alive) if (s.players[id]!.team === teamId) out.push(id);
  return out;
}

function checkClutch(s: StatsState, r: RoundAcc): void {
  if (s.teams.length < 2) return;
  for (let i = 0; i < 2; i++) {
    const t = s.teams[i]!;
    if (r.clutch[t.id]) continue;
    const mine = alive(s, r, t.id);
    const theirs = alive(s, r, s.teams[1 - i]!.id).length;
    if (mine.length === 1 && theirs >= 1) {
      r.clutch[t.id] = { player: mine[0]!, vs: theirs };
      inc(s.players[mine[0]!]!, 'clutches');
    }
  }
}

function onKill(s: StatsState, e: TypedEvent<'player.killed.player'>): void {
  s.seen['kill'] = true;
  const r = s.round;
  const p = e.payload;
  const victim = seen(s, p.victim);
  const killer = p.killer ? seen(s, p.killer) : undefined;
  const ms = eventMs(s, e);
  const enemiesAlive = r && killer ? alive(s, r, victim.team ?? '').length : 0;
  victim.deaths++;
  if (r) delete r.alive[victim.id];
  const enemy = killer && killer.id !== victim.id && !p.teamKill && (killer.team === undefined || killer.team !== victim.team);
  if (killer && killer.id === victim.id) inc(killer, 'suicides');
  else if (killer && !enemy) inc(killer, 'teamKills');
  if (enemy && killer) {
    killer.kills++;
    if (p.headshot) inc(killer, 'headshots');
    if (s.title === 'valorant') inc(killer, 'combatPoints', KILL_POINTS[Math.min(5, enemiesAlive)] ?? 0);
    if (r) {
      r.kills[killer.id] = (r.kills[killer.id] ?? 0) + 1;
      r.kast[killer.id] = true;
      if (!r.first) {
        r.first = true;
        inc(killer, 'openingKills');
        inc(victim, 'openingDeaths');
      }
      // Trade: the victim had killed one of the killer's teammates within the window.
      for (const d of r.deaths) {
        if (d.killer === victim.id && !d.traded && ms - d.ms <= TRADE_WINDOW_MS && s.players[d.victim]!.team === killer.team) {
          d.traded = true;
          r.kast[d.victim] = true;
          inc(s.players[d.victim]!, 'tradedDeaths');
          inc(killer, 'tradeKills');
        }
      }
    }
  }
  if (r) r.deaths.push({ victim: victim.id, ...(enemy && killer ? { killer: killer.id } : {}), ms });
  for (const a of p.assisters ?? []) {
    const ap = seen(s, a);
    if (ap.team !== undefined && ap.team === victim.team) continue;
    ap.assists++;
    if (s.title === 'valorant') inc(ap, 'combatPoints', 25);
    if (r) r.kast[ap.id] = true;
  }
  if (r) checkClutch(s, r);
}

function onDamage(s: StatsState, e: TypedEvent<'player.damaged.player'>): void {
  s.seen['damage'] = true;
  const p = e.payload;
  const victim = seen(s, p.victim);
  if (!p.attacker) return;
  const attacker = seen(s, p.attacker);
  const r = s.round;
  // Health damage actually dealt: what the victim had minus what is left. CS2 logs report the raw hit
  // (136 for a headshot on a 100 hp player), rounded down: the health lost is the better figure.
  const before = r?.hp[victim.id] ?? 100;
  const left = p.healthRemaining ?? Math.max(0, before - p.damage);
  const dealt = Math.max(0, before - left);
  if (r) r.hp[victim.id] = left;
  if (attacker.id === victim.id || (attacker.team !== undefined && attacker.team === victim.team)) return;
  inc(attacker, 'damage', dealt);
  if (s.title === 'valorant') inc(attacker, 'combatPoints', dealt);
  if (p.weapon && UTILITY.has(p.weapon)) inc(attacker, 'utilityDamage', dealt);
}

function buyType(s: StatsState, spend: number, players: number, pistol: boolean): string {
  if (pistol) return 'pistol';
  const [eco, force] = s.title === 'valorant' ? BUY_THRESHOLDS.valorant : BUY_THRESHOLDS.cs2;
  const avg = spend / Math.max(1, players);
  return avg < eco ? 'eco' : avg < force ? 'force' : 'full';
}

function endRound(s: StatsState, e: TypedEvent<'round.ended'>): void {
  const p = e.payload;
  const r = s.round && s.round.n === p.round ? s.round : undefined;
  s.teams.forEach((t, i) => (t.score = p.score[i as 0 | 1]));
  const counts = [0, 0];
  if (r) {
    for (const id in r.played) {
      const pl = s.players[id]!;
      const ti = teamIndex(s, pl.team);
      if (ti >= 0) counts[ti]!++;
      inc(pl, 'roundsPlayed');
      if (r.kast[id] || r.alive[id]) inc(pl, 'kastRounds');
      const k = r.kills[id] ?? 0;
      if (k >= 2) inc(pl, `k${Math.min(5, k)}` as 'k2');
    }
    const winner = p.winner;
    if (winner && r.clutch[winner]) {
      const c = r.clutch[winner];
      const pl = s.players[c.player]!;
      inc(pl, 'clutchesWon');
      const vs = pl.clutchesWonVs ?? [0, 0, 0, 0, 0];
      vs[Math.min(5, c.vs) - 1]!++;
      pl.clutchesWonVs = vs;
    }
  }
  const spend: [number, number] = [0, 0];
  const buys: [string, string] = ['', ''];
  s.teams.slice(0, 2).forEach((t, i) => {
    spend[i] = r?.spend[t.id] ?? 0;
    const pistol = p.round === 1 || s.pistolNext === true;
    buys[i] = buyType(s, spend[i], counts[i] || 5, pistol);
    (t.roundSpend ??= [])[p.round - 1] = spend[i];
    (t.buys ??= [])[p.round - 1] = buys[i];
  });
  s.pistolNext = false;
  const first = r?.deaths[0];
  s.rounds[p.round - 1] = {
    round: p.round,
    ...(p.winner !== undefined ? { winner: p.winner } : {}),
    ...(p.winnerSide !== undefined ? { winnerSide: p.winnerSide } : {}),
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    score: [p.score[0], p.score[1]],
    spend,
    buys,
    ...(first ? { firstKill: { ...(first.killer ? { killer: first.killer } : {}), victim: first.victim } } : {}),
    endedAtMs: eventMs(s, e),
  };
  s.rounds.length = p.round;
  s.history.length = p.round;
  snapshotLast(s);
  s.round = undefined;
}

/** Cumulative counters at the end of the last completed round (taken again until the next round starts). */
function snapshotLast(s: StatsState): void {
  const n = s.rounds.length;
  if (!n) return;
  const snap: Record<string, PlayerCounters> = {};
  for (const id of s.order) snap[id] = counters(s.players[id]!);
  s.history[n - 1] = snap;
}

export function applyShooter(s: StatsState, e: TypedEvent): void {
  switch (e.type) {
    case 'round.started': {
      const n = e.payload.round;
      if (n <= s.rounds.length) restore(s, n - 1);
      else snapshotLast(s); // kills and damage after a round's end belong to it (as the server counts)
      s.round = newRound(s, n, eventMs(s, e));
      break;
    }
    case 'round.ended':
      endRound(s, e);
      break;
    case 'match.ended':
      snapshotLast(s);
      break;
    case 'player.killed.player':
      onKill(s, e);
      break;
    case 'player.damaged.player':
      onDamage(s, e);
      break;
    case 'player.assisted.player': {
      s.seen['assist'] = true;
      const a = seen(s, e.payload.assister);
      const v = player(s, e.payload.victim);
      if (a.team !== undefined && a.team === v.team) break;
      // A flash assist is an assist too (the server's scoreboard counts both).
      a.assists++;
      if (e.payload.flash) inc(a, 'flashAssists');
      if (s.title === 'valorant') inc(a, 'combatPoints', 25);
      if (s.round) s.round.kast[a.id] = true;
      break;
    }
    case 'player.blinded.player': {
      const a = seen(s, e.payload.attacker);
      const v = seen(s, e.payload.victim);
      if (a.id !== v.id && (a.team === undefined || a.team !== v.team)) {
        inc(a, 'enemiesFlashed');
        inc(a, 'flashDurationMs', e.payload.durationMs);
      }
      break;
    }
    case 'bomb.planted':
      if (e.payload.player) inc(seen(s, e.payload.player), 'plants');
      break;
    case 'bomb.defused':
      if (e.payload.player) inc(seen(s, e.payload.player), 'defuses');
      break;
    case 'round.mvp':
      s.seen['mvp'] = true;
      inc(seen(s, e.payload.player), 'mvps');
      break;
    case 'player.purchased.item': {
      const p = seen(s, e.payload.player);
      const cost = e.payload.cost ?? 0;
      inc(p, 'spent', cost);
      if (s.round && p.team !== undefined) s.round.spend[p.team] = (s.round.spend[p.team] ?? 0) + cost;
      else if (p.team !== undefined) (s.freeze ??= {})[p.team] = (s.freeze[p.team] ?? 0) + cost;
      break;
    }
    case 'player.money.changed':
      seen(s, e.payload.player).money = e.payload.money;
      break;
    case 'player.switched.team':
      player(s, e.payload.player);
      s.pistolNext = true;
      break;
    case 'player.state': {
      const p = seen(s, e.payload.player);
      const st = e.payload.stats;
      p.rep = { kills: st.kills ?? 0, deaths: st.deaths ?? 0, assists: st.assists ?? 0, ...(st.damage !== undefined ? { damage: st.damage } : {}), ...(st.headshots !== undefined ? { headshots: st.headshots } : {}), ...(st.mvps !== undefined ? { mvps: st.mvps } : {}) };
      if (st.score !== undefined && s.title === 'valorant') p.combatScore = st.score;
      if (st.money !== undefined) p.money = st.money;
      if (st.equipmentValue !== undefined && s.round && p.team !== undefined) s.round.spend[p.team] = (s.round.spend[p.team] ?? 0) + st.equipmentValue;
      break;
    }
    case 'team.state':
      reportTeamState(s, e);
      break;
  }
}
