// Reads a stats state out as the numbers users see: derived rates (KDA, ADR, KAST, rating, GPM…),
// team totals and differences. Formulas: docs/stats.md.
import { isShooter } from './common.ts';
import type { MatchStatsView, PlayerAcc, PlayerStatsView, StatsState, TeamStatsView } from './model.ts';

const round2 = (x: number) => Math.round(x * 100) / 100;
const ratio = (a: number, b: number) => (b > 0 ? round2(a / b) : 0);

/** team.state field → objective name, for sources that report totals instead of events. */
const REPORTED_OBJECTIVES: Record<string, string> = {
  towers: 'tower',
  inhibitors: 'inhibitor',
  dragons: 'dragon',
  barons: 'baron_nashor',
  heralds: 'rift_herald',
  voidGrubs: 'void_grub',
  roshans: 'roshan',
  barracks: 'barracks',
  turretPlates: 'turret_plate',
};

/**
 * The Clutch rating (shooters): 0.8 × HLTV rating 1.0 + 0.1 × ADR/76 + 0.1 × KAST/0.72. About 1.0
 * for an average professional; docs/stats.md explains each term.
 */
export function clutchRating(p: { kills: number; deaths: number; rounds: number; k1: number; k2: number; k3: number; k4: number; k5: number; adr: number; kast: number }): number {
  if (p.rounds <= 0) return 0;
  const kpr = p.kills / p.rounds;
  const spr = (p.rounds - p.deaths) / p.rounds;
  const rmk = (p.k1 + 4 * p.k2 + 9 * p.k3 + 16 * p.k4 + 25 * p.k5) / p.rounds;
  const hltv1 = (kpr / 0.679 + (0.7 * spr) / 0.317 + rmk / 1.277) / 2.7;
  return round2(0.8 * hltv1 + (0.1 * p.adr) / 76 + (0.1 * p.kast) / 0.72);
}

/**
 * A player's K/D/A (and damage, headshots, wards): counted from events when the match has such events,
 * else what the source reported. Views and windows both read players through this.
 */
export function playerTotals(s: StatsState, p: PlayerAcc) {
  const rep = p.rep;
  const kill = s.seen['kill'] === true || !rep;
  return {
    kills: kill ? p.kills : rep.kills,
    deaths: kill ? p.deaths : rep.deaths,
    assists: kill ? p.assists : rep.assists,
    damage: s.seen['damage'] || rep?.damage === undefined ? p.damage : rep.damage,
    headshots: kill || rep?.headshots === undefined ? p.headshots : rep.headshots,
    wardsPlaced: s.seen['ward'] || rep?.wardsPlaced === undefined ? p.wardsPlaced : rep.wardsPlaced,
    wardsKilled: s.seen['ward'] || rep?.wardsKilled === undefined ? p.wardsKilled : rep.wardsKilled,
  };
}

function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function statsView(s: StatsState): MatchStatsView {
  const shooter = isShooter(s.title);
  const minutes = s.gameTimeMs / 60_000;
  const players: PlayerStatsView[] = s.order.map((id) => {
    const p = s.players[id]!;
    const { rep: _rep, ...own } = p;
    const b = playerTotals(s, p);
    const v: PlayerStatsView = { ...own, ...b, kda: ratio(b.kills + b.assists, Math.max(1, b.deaths)) };
    return strip(v);
  });
  const byTeam = new Map<string, PlayerStatsView[]>();
  for (const p of players) if (p.team !== undefined) (byTeam.get(p.team) ?? byTeam.set(p.team, []).get(p.team)!).push(p);
  const teams: TeamStatsView[] = s.teams.map((t) => {
    const members = byTeam.get(t.id) ?? [];
    const sum = (f: (p: PlayerStatsView) => number | undefined) => members.reduce((a, p) => a + (f(p) ?? 0), 0);
    const has = (f: (p: PlayerStatsView) => number | undefined) => members.some((p) => f(p) !== undefined);
    const objectives = { ...t.objectives };
    for (const [k, v] of Object.entries(t.reported ?? {})) {
      const o = REPORTED_OBJECTIVES[k];
      if (o && v > (objectives[o] ?? 0)) objectives[o] = v;
    }
    const view: TeamStatsView = { id: t.id, name: t.name, score: t.score, kills: sum((p) => p.kills), deaths: sum((p) => p.deaths), assists: sum((p) => p.assists), objectives };
    if (t.side !== undefined) view.side = t.side;
    if (shooter) {
      if (has((p) => p.money)) view.money = sum((p) => p.money);
      if (t.buys) view.buys = [...t.buys];
    } else {
      const gold = (p: PlayerStatsView) => p.totalGold ?? p.netWorth ?? p.gold;
      if (has(gold)) view.gold = sum(gold);
      else if (t.reported?.['gold'] !== undefined) view.gold = t.reported['gold'];
      if (has((p) => p.xp)) view.xp = sum((p) => p.xp);
      else if (t.reported?.['xp'] !== undefined) view.xp = t.reported['xp'];
      if (has((p) => p.netWorth)) view.netWorth = sum((p) => p.netWorth);
      if (has((p) => p.goldAt10)) view.goldDiffAt10 = sum((p) => p.goldAt10);
      if (has((p) => p.goldAt15)) view.goldDiffAt15 = sum((p) => p.goldAt15);
    }
    return view;
  });
  // Team differences (team 0 minus team 1, and the reverse for team 1).
  if (!shooter && teams.length === 2) {
    const [a, b] = teams as [TeamStatsView, TeamStatsView];
    for (const [k, d] of [['gold', 'goldDiff'], ['xp', 'xpDiff'], ['goldDiffAt10', 'goldDiffAt10'], ['goldDiffAt15', 'goldDiffAt15']] as const) {
      const x = a[k];
      const y = b[k];
      if (x === undefined || y === undefined) {
        delete a[d];
        delete b[d];
        continue;
      }
      a[d] = x - y;
      b[d] = y - x;
    }
  }
  const teamKills = new Map(teams.map((t) => [t.id, t.kills]));
  const teamDamage = new Map<string, number>();
  for (const p of players) if (p.team !== undefined) teamDamage.set(p.team, (teamDamage.get(p.team) ?? 0) + (p.damageToChampions ?? 0));
  const rounds = s.rounds.length;
  for (const p of players) {
    const tk = p.team !== undefined ? teamKills.get(p.team) : undefined;
    if (tk !== undefined && tk > 0) p.killParticipation = ratio(p.kills + p.assists, tk);
    if (shooter) {
      const n = p.roundsPlayed ?? rounds;
      p.adr = ratio(p.damage ?? 0, n);
      p.kast = ratio(p.kastRounds ?? 0, n);
      p.hsPercent = p.kills > 0 ? Math.round(((p.headshots ?? 0) / p.kills) * 1000) / 10 : 0;
      const k1 = Math.max(0, p.kills - 2 * (p.k2 ?? 0) - 3 * (p.k3 ?? 0) - 4 * (p.k4 ?? 0) - 5 * (p.k5 ?? 0));
      p.rating = clutchRating({ kills: p.kills, deaths: p.deaths, rounds: n, k1, k2: p.k2 ?? 0, k3: p.k3 ?? 0, k4: p.k4 ?? 0, k5: p.k5 ?? 0, adr: p.adr, kast: p.kast });
      if (s.title === 'valorant') p.acs = ratio(p.combatScore ?? p.combatPoints ?? 0, n);
    } else if (minutes > 0) {
      const cs = p.creepScore ?? p.lastHits;
      if (cs !== undefined) p.csPerMin = ratio(cs, minutes);
      const g = p.totalGold ?? p.netWorth;
      if (g !== undefined) p.gpm = Math.round(g / minutes);
      if (p.xp !== undefined) p.xpm = Math.round(p.xp / minutes);
      if (p.damageToChampions !== undefined) {
        p.dpm = Math.round(p.damageToChampions / minutes);
        const td = p.team !== undefined ? teamDamage.get(p.team) : 0;
        if (td) p.damageShare = ratio(p.damageToChampions, td);
      }
    }
  }
  if (!shooter) laneDiffs(s, players);
  const view: MatchStatsView = { matchId: s.matchId, title: s.title, status: s.status, lastSeq: s.lastSeq, durationMs: s.gameTimeMs, players, teams };
  if (s.map !== undefined) view.map = s.map;
  if (s.winner !== undefined) view.winner = s.winner;
  if (shooter) view.rounds = s.rounds.map((r) => ({ ...r }));
  return view;
}

/** Lane opponent: same role on the other team when roles are known, else the same position in team order. */
function laneDiffs(s: StatsState, players: PlayerStatsView[]): void {
  if (s.teams.length !== 2) return;
  const [a, b] = [players.filter((p) => p.team === s.teams[0]!.id), players.filter((p) => p.team === s.teams[1]!.id)];
  const pairs: Array<[PlayerStatsView, PlayerStatsView]> = [];
  if (a.length && a.every((p) => p.role) && b.every((p) => p.role)) {
    for (const p of a) {
      const o = b.find((q) => q.role === p.role);
      if (o) pairs.push([p, o]);
    }
  } else for (let i = 0; i < Math.min(a.length, b.length); i++) pairs.push([a[i]!, b[i]!]);
  for (const [p, o] of pairs) {
    p.laneOpponent = o.id;
    o.laneOpponent = p.id;
    for (const m of [10, 15] as const) {
      const x = p[`goldAt${m}`];
      const y = o[`goldAt${m}`];
      if (x === undefined || y === undefined) continue;
      p[`goldDiffAt${m}`] = x - y;
      o[`goldDiffAt${m}`] = y - x;
    }
  }
}
