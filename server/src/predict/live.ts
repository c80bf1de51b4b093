// Live win probability (issue #9, serving): run in the processor's shard, after each event is applied
// to a match's stats, on the events that can move a match (kills, bomb, rounds, objectives, frames).
// Pure and deterministic: the same events from the same state give the same predictions, so a batch
// applied again (after a failed write, or a replay) yields the same rows and messages. What it keeps
// per match (PredState) is plain JSON and rides in the match's snapshot.
//
// Per title (docs/predictions.md, "Serving"):
// - CS2: the cs-round model (P(CT wins the round)) on the round state our stats hold, then the match
//   probability by a recursion over the remaining rounds (first to 13, overtime first to 4 of 6).
// - Valorant: the same, as a documented approximation (attack = T, defense = CT; first to 13, win by 2).
// - LoL: the lol-10min model, its cumulative inputs scaled by min(1, 10 / minute) (validated at 10 only).
// - Dota 2: a hand-set logistic on net worth, experience and buildings (heuristic: no training data).
// - Drafts: dota2-draft / lol-draft once both teams have 5 picks with ids.
import { isShooter, playerTotals, type Envelope, type PlayerRef, type StatsState, type TeamAcc } from '@clutch/core';
import type { Contribution, Model } from './model.ts';
import type { DotaContext, TableRow, Task } from './tasks.ts';
import { CS_COL, CS_COLS, LOL10_COL, LOL10_COLS } from './tasks.ts';
import { DRAFT_LIMITS } from './index.ts';

export interface PredictionModel {
  /** What produced the probability (for shooters and LoL, a layer over `base`). */
  name: string;
  version: string;
  /** The shipped model underneath (`<task>.v<N>`), when there is one. */
  base?: string;
}

export interface PredictionInput {
  feature: string;
  label: string;
  value: number;
  /** Contribution to the underlying model's logit (positive: towards `towards`). */
  contribution: number;
}

export interface LivePrediction {
  /** The event after which it was computed. */
  seq: number;
  kind: 'live' | 'draft';
  occurredAt: string;
  gameTimeMs: number;
  model: PredictionModel;
  /** Both teams, in the match's team order: the probability that each wins the match (sum 1). */
  teams: Array<{ id: string; name: string; probability: number }>;
  /** Shooters, while a round is played or before the next: P(CT side wins this round). */
  round?: { number: number; ctTeam: string; probabilityCt: number };
  /** The top inputs of the underlying model; `towards` names what a positive contribution favours. */
  explanation: { towards: string; inputs: PredictionInput[] };
  /** Live: the event that moved the prediction and by how much (win probability added to `team`). */
  event?: { seq: number; type: string; player?: string; team?: string; wpa: number };
  /** Live: win probability added per player so far in the match (sum over the events they made). */
  playerWpa?: Record<string, number>;
}

/** Per-match state of the predictor (in the processor's snapshot). */
export interface PredState {
  /** P(teams[0] wins the match) after the last live prediction. */
  p?: number;
  /** Side of each team id ('ct' | 't'), shooters. */
  side: Record<string, 'ct' | 't'>;
  /** Shooters: game time of the bomb plant in the current round. */
  plantMs?: number;
  /** Shooters: what we know of each player's kit, reset at death. */
  kit: Record<string, { primary?: string; secondary?: string; armor?: 1; helmet?: 1; defuser?: 1 }>;
  /** MOBAs: the team that drew first blood. */
  firstBlood?: string;
  /** Drafts: picks per team id (numeric ids), and whether the draft prediction was made. */
  picks: Record<string, number[]>;
  drafted?: true;
  /** Dota: the lobby of the match (match.started extra cluster, gameModeId, lobbyType; OpenDota and Steam carry it), for the draft model. */
  lobby?: DotaContext;
  wpa: Record<string, number>;
}

export const newPredState = (): PredState => ({ side: {}, kit: {}, picks: {}, wpa: {} });

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
const TOP = 3;

/** Match format of a round-based title: first to `target` rounds; at target−1 all, overtime first to `ot` (repeated at ot−1 all). */
export interface RoundRules { target: number; ot: number }
export const CS2_RULES: RoundRules = { target: 13, ot: 4 };
/** Wingman (2v2): first to 9; the real format ends 8–8 as a draw, approximated by a CS2-style overtime. */
export const WINGMAN_RULES: RoundRules = { target: 9, ot: 4 };
/** Valorant: first to 13; from 12–12, win by two (= overtime first to 2, repeated at 1–1). */
export const VALORANT_RULES: RoundRules = { target: 13, ot: 2 };

/**
 * P(team A wins the match) from score a–b when A wins the round being played with pNow (undefined: no
 * round in play) and every later round with q. Exact for that model: dynamic programming over the
 * remaining rounds (a table per format, built once); overtimes, which repeat at (ot−1)-all, are solved
 * in closed form (X = A / (1 − B), with A the chance to win an overtime before it repeats and B the
 * chance that it repeats).
 */
export function matchWinProbability(a: number, b: number, pNow: number | undefined, rules: RoundRules, q = 0.5): number {
  if (pNow !== undefined) return pNow * matchWinProbability(a + 1, b, undefined, rules, q) + (1 - pNow) * matchWinProbability(a, b + 1, undefined, rules, q);
  const { target, ot } = rules;
  const t = tables(rules, q);
  if (a >= target - 1 && b >= target - 1) {
    let r = a - (target - 1);
    let s = b - (target - 1);
    // Each overtime is first to `ot`; (ot−1)-all starts a new one: 4–3 in MR3 overtimes is 1–0 in the next.
    while (r >= ot - 1 && s >= ot - 1) {
      r -= ot - 1;
      s -= ot - 1;
    }
    if (r >= ot) return 1;
    if (s >= ot) return 0;
    return t.ot[r * ot + s]!;
  }
  if (a >= target) return 1;
  if (b >= target) return 0;
  return t.reg[a * target + b]!;
}

const TABLES = new Map<string, { reg: Float64Array; ot: Float64Array }>();

/** P(win) from every regulation score and every overtime score, for one format and q (computed once). */
function tables(rules: RoundRules, q: number): { reg: Float64Array; ot: Float64Array } {
  const key = `${rules.target}:${rules.ot}:${q}`;
  let t = TABLES.get(key);
  if (t) return t;
  const { target, ot } = rules;
  // Overtime: g(x, y) = A + B·X where X = g(0, 0) is the value of a new overtime.
  const A = new Float64Array(ot * ot);
  const B = new Float64Array(ot * ot);
  for (let x = ot - 1; x >= 0; x--) {
    for (let y = ot - 1; y >= 0; y--) {
      if (x === ot - 1 && y === ot - 1) {
        B[x * ot + y] = 1;
        continue;
      }
      const wA = x + 1 >= ot ? 1 : A[(x + 1) * ot + y]!;
      const wB = x + 1 >= ot ? 0 : B[(x + 1) * ot + y]!;
      const lA = y + 1 >= ot ? 0 : A[x * ot + y + 1]!;
      const lB = y + 1 >= ot ? 0 : B[x * ot + y + 1]!;
      A[x * ot + y] = q * wA + (1 - q) * lA;
      B[x * ot + y] = q * wB + (1 - q) * lB;
    }
  }
  const X = B[0]! < 1 ? A[0]! / (1 - B[0]!) : 0.5;
  const otv = new Float64Array(ot * ot);
  for (let i = 0; i < otv.length; i++) otv[i] = A[i]! + B[i]! * X;
  // Regulation: reaching (target−1)-all is an overtime from 0–0.
  const reg = new Float64Array(target * target);
  const at = (x: number, y: number): number => (x >= target - 1 && y >= target - 1 ? otv[0]! : x >= target ? 1 : y >= target ? 0 : reg[x * target + y]!);
  for (let x = target - 1; x >= 0; x--) {
    for (let y = target - 1; y >= 0; y--) {
      if (x === target - 1 && y === target - 1) {
        reg[x * target + y] = otv[0]!;
        continue;
      }
      reg[x * target + y] = q * at(x + 1, y) + (1 - q) * at(x, y + 1);
    }
  }
  t = { reg, ot: otv };
  TABLES.set(key, t);
  return t;
}

// ---- CS2 / Valorant round state → a cs-round row ------------------------------------------------------

/** CS2 log / GSI weapon names → the dataset's column names. */
const WEAPON_ALIAS: Record<string, string> = { m4a1_silencer: 'm4a1s', m4a1_silencer_off: 'm4a1s', usp_silencer: 'usps', usp_silencer_off: 'usps', hkp2000: 'p2000', sg556: 'sg553', cz75a: 'cz75auto', revolver: 'r8revolver', galil: 'galilar', glock18: 'glock' };
const PRIMARY = new Set(['ak47', 'aug', 'awp', 'bizon', 'famas', 'g3sg1', 'galilar', 'm249', 'm4a1s', 'm4a4', 'mac10', 'mag7', 'mp5sd', 'mp7', 'mp9', 'negev', 'nova', 'p90', 'sawedoff', 'scar20', 'sg553', 'ssg08', 'ump45', 'xm1014']);
const SECONDARY = new Set(['cz75auto', 'elite', 'glock', 'deagle', 'fiveseven', 'usps', 'p250', 'p2000', 'tec9', 'r8revolver']);
const weaponName = (item: string) => {
  const w = item.toLowerCase().replace(/^weapon_/, '');
  return WEAPON_ALIAS[w] ?? w;
};

/** Round length after the freeze time, and the bomb/spike timer, in seconds. */
const ROUND_S = { cs2: 115, valorant: 100 } as const;
const BOMB_S = { cs2: 40, valorant: 45 } as const;
/** The dataset's clock during the freeze time (its "freeze" feature is time_left > 174 with full health). */
const FREEZE_TIME_LEFT = 175;

function sideOf(raw: string | undefined): 'ct' | 't' | undefined {
  if (!raw) return undefined;
  const s = raw.toLowerCase();
  if (s === 'ct' || s === 'defense' || s === 'defenders' || s === 'counter-terrorist') return 'ct';
  if (s === 't' || s === 'attack' || s === 'attackers' || s === 'terrorist') return 't';
  return undefined;
}

function learnSide(ps: PredState, ref: PlayerRef | undefined): void {
  const side = sideOf((ref as { side?: string } | undefined)?.side);
  if (ref?.team !== undefined && side) ps.side[ref.team] = side;
}

/** Column indexes of a cs-round row (tasks.ts CS_COLS), per side. */
const CS_KEYS = Object.fromEntries(
  (['ct', 't'] as const).map((s) => [
    s,
    {
      alive: CS_COL[`${s}_players_alive`]!,
      health: CS_COL[`${s}_health`]!,
      armor: CS_COL[`${s}_armor`]!,
      helmets: CS_COL[`${s}_helmets`]!,
      money: CS_COL[`${s}_money`]!,
      score: CS_COL[`${s}_score`]!,
      weapon: Object.fromEntries([...PRIMARY, ...SECONDARY].map((w) => [w, CS_COL[`${s}_weapon_${w}`]!])) as Record<string, number>,
    },
  ]),
) as Record<'ct' | 't', { alive: number; health: number; armor: number; helmets: number; money: number; score: number; weapon: Record<string, number> }>;
const CS_KITS = CS_COL.ct_defuse_kits!;
const CS_TIME = CS_COL.time_left!;
const CS_BOMB = CS_COL.bomb_planted!;

export interface CsRoundState { row: TableRow; ctTeam: TeamAcc; tTeam: TeamAcc; inRound: boolean }

/** The row csRoundRow returns (one predictor runs per thread, synchronously): valid until its next call. */
const CS_ROW = new Float64Array(CS_COLS.length);

/** The round state in the dataset's columns (scaled to 5 a side when teams are smaller, e.g. wingman). */
export function csRoundRow(s: StatsState, ps: PredState, nowMs: number): CsRoundState | undefined {
  const [t0, t1] = s.teams;
  if (!t0 || !t1) return undefined;
  let s0 = ps.side[t0.id];
  let s1 = ps.side[t1.id];
  if (!s0 && s1) s0 = s1 === 'ct' ? 't' : 'ct';
  if (!s1 && s0) s1 = s0 === 'ct' ? 't' : 'ct';
  if (!s0 || !s1 || s0 === s1) return undefined;
  const ctTeam = s0 === 'ct' ? t0 : t1;
  const tTeam = s0 === 'ct' ? t1 : t0;
  const r = s.round;
  const x = CS_ROW.fill(0);
  const title = s.title === 'valorant' ? 'valorant' : 'cs2';
  for (const [team, side] of [[ctTeam, 'ct'], [tTeam, 't']] as const) {
    let members = 0;
    let alive = 0;
    let health = 0;
    let armor = 0;
    let helmets = 0;
    let kits = 0;
    let money = 0;
    const weapons: string[] = [];
    for (const id of s.order) {
      const p = s.players[id]!;
      if (p.team !== team.id) continue;
      members++;
      money += p.money ?? 0;
      if (r && !r.alive[id]) continue;
      alive++;
      health += r ? Math.max(0, Math.min(100, r.hp[id] ?? 100)) : 100;
      const k = ps.kit[id];
      if (k?.armor) armor += 100;
      if (k?.helmet) helmets++;
      if (k?.defuser) kits++;
      if (k?.primary) weapons.push(k.primary);
      weapons.push(k?.secondary ?? (side === 'ct' ? 'usps' : 'glock'));
    }
    if (!members) return undefined;
    const scale = members < 5 ? 5 / members : 1;
    const k = CS_KEYS[side];
    x[k.alive] = alive * scale;
    x[k.health] = health * scale;
    x[k.armor] = armor * scale;
    x[k.helmets] = helmets * scale;
    x[k.money] = money * scale;
    if (side === 'ct') x[CS_KITS] = kits * scale;
    for (const w of weapons) {
      const c = k.weapon[w];
      if (c !== undefined) x[c]! += scale;
    }
    x[k.score] = team.score;
  }
  let timeLeft: number;
  if (!r) timeLeft = FREEZE_TIME_LEFT;
  else if (ps.plantMs !== undefined) timeLeft = Math.max(0, BOMB_S[title] - (nowMs - ps.plantMs) / 1000);
  else timeLeft = Math.max(0, ROUND_S[title] - (nowMs - r.startMs) / 1000);
  x[CS_TIME] = timeLeft;
  x[CS_BOMB] = r && ps.plantMs !== undefined ? 1 : 0;
  return { row: { y: 0, x, ...(s.map ? { map: s.map.toLowerCase() } : {}) }, ctTeam, tTeam, inRound: r !== undefined };
}

// ---- LoL -------------------------------------------------------------------------------------------

const LOL_SIDE = (t: TeamAcc, i: number) => (t.side === 'blue' || t.id === 'blue' || t.id === '100' ? 0 : t.side === 'red' || t.id === 'red' || t.id === '200' ? 1 : i);

const LOL_KEYS = Object.fromEntries(
  (['blue', 'red'] as const).map((pre) => [pre, Object.fromEntries(LOL10_COLS.filter((c) => c.startsWith(pre)).map((c) => [c.slice(pre.length), LOL10_COL[c]!]))]),
) as Record<'blue' | 'red', Record<string, number>>;

/** The row lolRow returns: valid until its next call (as CS_ROW). */
const LOL_ROW = new Float64Array(LOL10_COLS.length);

/** Our LoL state in the lol-10min columns, cumulative values scaled by f = min(1, 10 / minute). */
export function lolRow(s: StatsState, ps: PredState): { row: TableRow; blue: TeamAcc; red: TeamAcc; scale: number } | undefined {
  const [a, b] = s.teams;
  if (!a || !b) return undefined;
  const [blue, red] = LOL_SIDE(a, 0) === 0 && LOL_SIDE(b, 1) === 1 ? [a, b] : LOL_SIDE(a, 0) === 1 ? [b, a] : [a, b];
  const minutes = s.gameTimeMs / 60_000;
  const f = minutes > 10 ? 10 / minutes : 1;
  const x = LOL_ROW.fill(0);
  const side = (t: TeamAcc, pre: 'blue' | 'red') => {
    let n = 0;
    let gold = 0;
    let xp = 0;
    let level = 0;
    let cs = 0;
    let wardsPlaced = 0;
    let wardsKilled = 0;
    let kills = 0;
    let deaths = 0;
    let assists = 0;
    for (const id of s.order) {
      const p = s.players[id]!;
      if (p.team !== t.id) continue;
      n++;
      const tot = playerTotals(s, p);
      kills += tot.kills;
      deaths += tot.deaths;
      assists += tot.assists;
      wardsPlaced += tot.wardsPlaced ?? 0;
      wardsKilled += tot.wardsKilled ?? 0;
      gold += p.totalGold ?? p.netWorth ?? p.gold ?? 0;
      xp += p.xp ?? 0;
      level += p.level ?? 1;
      cs += p.creepScore ?? p.lastHits ?? 0;
    }
    if (!n && t.reported?.['gold'] !== undefined) gold = t.reported['gold'];
    const o = t.objectives;
    const dragons = (o['dragon'] ?? 0) + (o['elder_dragon'] ?? 0);
    const heralds = o['rift_herald'] ?? 0;
    const k = LOL_KEYS[pre];
    x[k.WardsPlaced!] = wardsPlaced * f;
    x[k.WardsDestroyed!] = wardsKilled * f;
    x[k.FirstBlood!] = ps.firstBlood === t.id ? 1 : 0;
    x[k.Kills!] = kills * f;
    x[k.Deaths!] = deaths * f;
    x[k.Assists!] = assists * f;
    x[k.Dragons!] = dragons * f;
    x[k.Heralds!] = heralds * f;
    x[k.EliteMonsters!] = (dragons + heralds) * f;
    x[k.TowersDestroyed!] = (o['tower'] ?? 0) * f;
    x[k.TotalGold!] = gold * f;
    x[k.AvgLevel!] = n ? (level / n) * f : 0;
    x[k.TotalExperience!] = xp * f;
    x[k.TotalMinionsKilled!] = cs * f;
    x[k.TotalJungleMinionsKilled!] = 0;
    x[k.CSPerMin!] = minutes > 0 ? cs / Math.max(1, minutes) : 0;
    x[k.GoldPerMin!] = minutes > 0 ? gold / Math.max(1, minutes) : 0;
  };
  side(blue, 'blue');
  side(red, 'red');
  const B = LOL_KEYS.blue;
  const R = LOL_KEYS.red;
  x[B.GoldDiff!] = x[B.TotalGold!]! - x[R.TotalGold!]!;
  x[R.GoldDiff!] = -x[B.GoldDiff!]!;
  x[B.ExperienceDiff!] = x[B.TotalExperience!]! - x[R.TotalExperience!]!;
  x[R.ExperienceDiff!] = -x[B.ExperienceDiff!]!;
  return { row: { y: 0, x }, blue, red, scale: f };
}

// ---- Dota 2 (heuristic) ----------------------------------------------------------------------------

/** Hand-set weights (no training data here): logit = Σ weight × input; inputs are Radiant − Dire. */
export const DOTA_HEURISTIC = {
  name: 'dota2-live-heuristic',
  version: '0.1-heuristic',
  /** Per 1,000 net worth and per 1,000 experience of advantage, scaled by 10 / max(10, minute). */
  netWorthPer1k: 0.25,
  xpPer1k: 0.1,
  perTower: 0.12,
  perBarracks: 0.25,
  perRoshan: 0.3,
} as const;

function dotaInputs(s: StatsState): { inputs: PredictionInput[]; radiant: TeamAcc; dire: TeamAcc } | undefined {
  const [a, b] = s.teams;
  if (!a || !b) return undefined;
  const isDire = (t: TeamAcc) => t.side === 'dire' || t.id === 'dire' || t.id === '3';
  const [radiant, dire] = isDire(a) ? [b, a] : [a, b];
  const sums = (t: TeamAcc) => {
    let nw = 0;
    let xp = 0;
    let n = 0;
    for (const id of s.order) {
      const p = s.players[id]!;
      if (p.team !== t.id) continue;
      n++;
      nw += p.netWorth ?? p.totalGold ?? p.gold ?? 0;
      xp += p.xp ?? 0;
    }
    if (!n || nw === 0) nw = t.reported?.['netWorth'] ?? t.reported?.['gold'] ?? nw;
    if (!n || xp === 0) xp = t.reported?.['xp'] ?? xp;
    return { nw, xp };
  };
  const R = sums(radiant);
  const D = sums(dire);
  const time = 10 / Math.max(10, s.gameTimeMs / 60_000);
  const H = DOTA_HEURISTIC;
  const obj = (k: string) => (radiant.objectives[k] ?? 0) - (dire.objectives[k] ?? 0);
  const inputs: PredictionInput[] = [
    { feature: 'net_worth_diff', label: 'net worth advantage (×10/max(10, minute))', value: R.nw - D.nw, contribution: H.netWorthPer1k * ((R.nw - D.nw) / 1000) * time },
    { feature: 'xp_diff', label: 'experience advantage (×10/max(10, minute))', value: R.xp - D.xp, contribution: H.xpPer1k * ((R.xp - D.xp) / 1000) * time },
    { feature: 'towers_diff', label: 'towers destroyed', value: obj('tower'), contribution: H.perTower * obj('tower') },
    { feature: 'barracks_diff', label: 'barracks destroyed', value: obj('barracks'), contribution: H.perBarracks * obj('barracks') },
    { feature: 'roshan_diff', label: 'Roshans taken', value: obj('roshan'), contribution: H.perRoshan * obj('roshan') },
  ];
  return { inputs, radiant, dire };
}

// ---- the predictor ---------------------------------------------------------------------------------

const SHOOTER_TRIGGERS = new Set(['match.started', 'round.started', 'player.killed.player', 'bomb.planted', 'bomb.defused', 'bomb.exploded', 'round.ended', 'match.ended']);
const MOBA_TRIGGERS = new Set(['match.started', 'player.killed.player', 'objective.taken', 'team.state', 'match.ended']);

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

function actorOf(e: Envelope): PlayerRef | undefined {
  const p = e.payload as { killer?: PlayerRef; player?: PlayerRef };
  if (e.type === 'player.killed.player') return p.killer;
  if (e.type === 'bomb.planted' || e.type === 'bomb.defused' || e.type === 'objective.taken') return p.player;
  return undefined;
}

export class LivePredictor {
  readonly #models: Record<Task, Model>;
  constructor(models: Record<Task, Model>) {
    this.#models = models;
  }

  /** Called after `e` was applied to `s`; returns the predictions it makes (0, 1 or 2: draft + live). */
  observe(s: StatsState, ps: PredState, e: Envelope): LivePrediction[] | undefined {
    const shooter = isShooter(s.title);
    if (shooter) this.#trackShooter(s, ps, e);
    else this.#trackMoba(s, ps, e);
    let out: LivePrediction[] | undefined;
    if (!shooter && e.type === 'draft.picked' && !ps.drafted) {
      const d = this.#draft(s, ps, e);
      if (d) (out ??= []).push(d);
    }
    // team.state comes once per team and frame, in team order: one prediction per frame, after the last.
    const frameDone = e.type !== 'team.state' || (e.payload as { team?: { id?: string } }).team?.id === s.teams[s.teams.length - 1]?.id;
    if ((shooter ? SHOOTER_TRIGGERS : MOBA_TRIGGERS).has(e.type) && frameDone) {
      const p = this.#live(s, ps, e);
      if (p) (out ??= []).push(p);
    }
    return out;
  }

  #trackShooter(s: StatsState, ps: PredState, e: Envelope): void {
    const pl = e.payload as Record<string, unknown>;
    switch (e.type) {
      case 'match.started':
        for (const t of (pl.teams as Array<{ id: string; side?: string }>) ?? []) {
          const side = sideOf(t.side);
          if (side) ps.side[t.id] = side;
        }
        break;
      case 'round.started':
        ps.plantMs = undefined;
        break;
      case 'bomb.planted':
        ps.plantMs = e.gameTime ?? s.gameTimeMs;
        learnSide(ps, pl.player as PlayerRef | undefined);
        break;
      case 'player.switched.team': {
        const ref = pl.player as PlayerRef;
        const side = sideOf(pl.to as string);
        const team = s.players[ref.id]?.team ?? ref.team;
        if (team !== undefined && side) ps.side[team] = side;
        delete ps.kit[ref.id];
        break;
      }
      case 'player.purchased.item': {
        const ref = pl.player as PlayerRef;
        learnSide(ps, ref);
        const item = String(pl.item ?? '').toLowerCase().replace(/^(weapon|item)_/, '');
        const k = (ps.kit[ref.id] ??= {});
        const w = weaponName(item);
        if (PRIMARY.has(w)) k.primary = w;
        else if (SECONDARY.has(w)) k.secondary = w;
        else if (item === 'vesthelm' || item === 'assaultsuit') {
          k.armor = 1;
          k.helmet = 1;
        } else if (item === 'vest' || item === 'kevlar') k.armor = 1;
        else if (item === 'defuser' || item === 'cutters') k.defuser = 1;
        break;
      }
      case 'player.killed.player': {
        const { killer, victim, weapon } = pl as { killer?: PlayerRef; victim: PlayerRef; weapon?: string };
        learnSide(ps, victim);
        learnSide(ps, killer);
        delete ps.kit[victim.id];
        if (killer && weapon) {
          const w = weaponName(weapon);
          const k = (ps.kit[killer.id] ??= {});
          if (PRIMARY.has(w)) k.primary = w;
          else if (SECONDARY.has(w)) k.secondary = w;
        }
        break;
      }
      case 'round.ended': {
        const winner = pl.winner as string | undefined;
        const side = sideOf(pl.winnerSide as string | undefined);
        if (winner && side) {
          ps.side[winner] = side;
          const other = s.teams.find((t) => t.id !== winner);
          if (other) ps.side[other.id] = side === 'ct' ? 't' : 'ct';
        }
        break;
      }
    }
  }

  #trackMoba(s: StatsState, ps: PredState, e: Envelope): void {
    if (e.type === 'match.started' && s.title === 'dota2') {
      const x = (e.payload as { extra?: Record<string, unknown> }).extra;
      const n = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
      const cluster = n(x?.cluster);
      const mode = n(x?.gameModeId);
      const type = n(x?.lobbyType);
      if (cluster !== undefined && mode !== undefined && type !== undefined) ps.lobby = { cluster, mode, type };
    } else if (e.type === 'player.killed.player' && ps.firstBlood === undefined) {
      const { killer, victim } = e.payload as { killer?: PlayerRef; victim: PlayerRef };
      const kt = killer ? s.players[killer.id]?.team : undefined;
      if (kt !== undefined && kt !== s.players[victim.id]?.team) ps.firstBlood = kt;
    } else if (e.type === 'draft.picked') {
      const { team, characterId } = e.payload as { team: string; characterId?: string };
      const id = Number(characterId);
      if (characterId !== undefined && Number.isInteger(id) && id > 0) {
        const list = (ps.picks[team] ??= []);
        if (!list.includes(id) && list.length < 5) list.push(id);
      }
    }
  }

  #draft(s: StatsState, ps: PredState, e: Envelope): LivePrediction | undefined {
    const task = s.title === 'dota2' ? 'dota2-draft' : s.title === 'lol' ? 'lol-draft' : undefined;
    if (!task) return undefined;
    const ids = Object.keys(ps.picks);
    if (ids.length !== 2 || ids.some((t) => ps.picks[t]!.length < 5)) return undefined;
    // Team 1 of the model = the match's first team (else the first to pick).
    const order = s.teams.length === 2 && s.teams.every((t) => ps.picks[t.id]) ? s.teams.map((t) => t.id) : ids;
    const [one, two] = order as [string, string];
    const { maxId } = DRAFT_LIMITS[task];
    const t1 = ps.picks[one]!;
    const t2 = ps.picks[two]!;
    ps.drafted = true;
    if ([...t1, ...t2].some((x) => x > maxId)) return undefined;
    const m = this.#models[task];
    const ex = m.explain({ y: 0, team1: t1, team2: t2, ...(task === 'dota2-draft' && ps.lobby ? { ctx: ps.lobby } : {}) }, TOP);
    const name = (id: string) => s.teams.find((t) => t.id === id)?.name ?? id;
    return {
      seq: e.seq,
      kind: 'draft',
      occurredAt: e.occurredAt,
      gameTimeMs: s.gameTimeMs,
      model: { name: task, version: String(m.file.version), base: `${task}.v${m.file.version}` },
      teams: [
        { id: one, name: name(one), probability: r4(ex.probability) },
        { id: two, name: name(two), probability: r4(1 - ex.probability) },
      ],
      explanation: { towards: one, inputs: ex.contributions.map((c) => ({ ...c, contribution: r4(c.contribution) })) },
    };
  }

  #live(s: StatsState, ps: PredState, e: Envelope): LivePrediction | undefined {
    const [t0, t1] = s.teams;
    if (!t0 || !t1) return undefined;
    let p0: number;
    let model: PredictionModel;
    let explanation: LivePrediction['explanation'];
    let round: LivePrediction['round'];
    const finished = s.status === 'finished';
    if (isShooter(s.title)) {
      const st = csRoundRow(s, ps, e.gameTime ?? s.gameTimeMs);
      if (!st) return undefined;
      const m = this.#models['cs-round'];
      const ex = m.explain(st.row, TOP);
      const pCt = ex.probability;
      const rules = s.title === 'valorant' ? VALORANT_RULES : largestTeam(s) <= 2 ? WINGMAN_RULES : CS2_RULES;
      const p0Round = st.ctTeam === t0 ? pCt : 1 - pCt;
      p0 = matchWinProbability(t0.score, t1.score, p0Round, rules);
      round = { number: s.round?.n ?? s.rounds.length + 1, ctTeam: st.ctTeam.id, probabilityCt: r4(pCt) };
      model = s.title === 'valorant' ? (this.#valorantModel ??= { name: 'valorant-round-markov', version: '1-approx', base: `cs-round.v${m.file.version}` }) : (this.#cs2Model ??= { name: 'cs2-round-markov', version: '1', base: `cs-round.v${m.file.version}` });
      explanation = { towards: `${st.ctTeam.id} (CT) wins the round`, inputs: inputsOf(ex.contributions) };
    } else if (s.title === 'lol') {
      const st = lolRow(s, ps);
      if (!st) return undefined;
      const m = this.#models['lol-10min'];
      const ex = m.explain(st.row, TOP);
      p0 = st.blue === t0 ? ex.probability : 1 - ex.probability;
      model = this.#lolModel ??= { name: 'lol-live-scaled', version: '1', base: `lol-10min.v${m.file.version}` };
      explanation = { towards: `${st.blue.id} (blue) wins`, inputs: inputsOf(ex.contributions) };
    } else {
      const st = dotaInputs(s);
      if (!st) return undefined;
      const z = st.inputs.reduce((a, c) => a + c.contribution, 0);
      p0 = st.radiant === t0 ? sigmoid(z) : 1 - sigmoid(z);
      model = DOTA_MODEL;
      const inputs = [...st.inputs].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)).map((c) => ({ ...c, contribution: r4(c.contribution) }));
      explanation = { towards: `${st.radiant.id} (radiant) wins`, inputs };
    }
    if (finished) p0 = s.winner === t0.id ? 1 : s.winner === t1.id ? 0 : 0.5;
    p0 = r4(p0);
    const before = ps.p ?? 0.5;
    ps.p = p0;
    const actor = actorOf(e);
    const actorTeam = actor ? (s.players[actor.id]?.team ?? actor.team) : e.type === 'objective.taken' ? (e.payload as { team?: string }).team : undefined;
    const wpa = r4(actorTeam === t1.id ? before - p0 : p0 - before);
    const credited = actor && actorTeam !== undefined && (actorTeam === t0.id || actorTeam === t1.id) ? actor.id : undefined;
    if (credited) ps.wpa[credited] = r4((ps.wpa[credited] ?? 0) + wpa);
    return {
      seq: e.seq,
      kind: 'live',
      occurredAt: e.occurredAt,
      gameTimeMs: s.gameTimeMs,
      model,
      teams: [
        { id: t0.id, name: t0.name, probability: p0 },
        { id: t1.id, name: t1.name, probability: r4(1 - p0) },
      ],
      ...(round && !finished ? { round } : {}),
      explanation,
      event: { seq: e.seq, type: e.type, ...(credited ? { player: credited } : {}), team: actorTeam === t1.id ? t1.id : t0.id, wpa },
      // The per-player totals: on the match's last prediction, and in live snapshots (withTotals); not on
      // every prediction (they are the running sums of event.wpa by event.player).
      ...(finished ? { playerWpa: { ...ps.wpa } } : {}),
    };
  }

  #cs2Model?: PredictionModel;
  #valorantModel?: PredictionModel;
  #lolModel?: PredictionModel;
}

const DOTA_MODEL: PredictionModel = { name: DOTA_HEURISTIC.name, version: DOTA_HEURISTIC.version };

/** The model's top inputs, rounded for the stream. */
const inputsOf = (cs: readonly Contribution[]): PredictionInput[] => cs.map((c) => ({ feature: c.feature, label: c.label, value: r4(c.value), contribution: r4(c.contribution) }));

/** Players in the largest of the first two teams (wingman: 2). */
function largestTeam(s: StatsState): number {
  const a = s.teams[0]?.id;
  const b = s.teams[1]?.id;
  let na = 0;
  let nb = 0;
  for (const id of s.order) {
    const t = s.players[id]!.team;
    if (t === a) na++;
    else if (t === b) nb++;
  }
  return Math.max(na, nb);
}

/** A match's latest prediction with the per-player WPA totals (for live snapshots). */
export const withTotals = (p: LivePrediction, ps: PredState): LivePrediction => (p.kind === 'live' ? { ...p, playerWpa: { ...ps.wpa } } : p);
