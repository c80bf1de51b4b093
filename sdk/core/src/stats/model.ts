// Built-in stats: the shapes every title shares. A stats state is plain JSON (it is snapshotted to
// the store and Redis and shipped to plugins), updated in place by `applyStats` for speed, and read
// out by `statsView`. Formulas are in docs/stats.md.
import type { PlayerRef, TeamRef } from '../events.ts';
import type { Title } from '../titles.ts';

export const STATS_VERSION = 1;

/** Counters of one player. Title-specific fields are present only for that title. */
export interface PlayerCounters {
  kills: number;
  deaths: number;
  assists: number;
  // ---- shooters (cs2, valorant)
  headshots?: number;
  /** Health damage dealt to enemies (capped at the health the victim had). */
  damage?: number;
  teamKills?: number;
  suicides?: number;
  roundsPlayed?: number;
  /** Rounds with a kill, assist, survival or trade (KAST numerator). */
  kastRounds?: number;
  openingKills?: number;
  openingDeaths?: number;
  tradeKills?: number;
  tradedDeaths?: number;
  /** Rounds with exactly 2, 3, 4, 5 kills. */
  k2?: number;
  k3?: number;
  k4?: number;
  k5?: number;
  /** Clutch situations (last alive of the team against ≥ 1) and those won, by number of opponents. */
  clutches?: number;
  clutchesWon?: number;
  clutchesWonVs?: [number, number, number, number, number];
  utilityDamage?: number;
  flashAssists?: number;
  enemiesFlashed?: number;
  flashDurationMs?: number;
  plants?: number;
  defuses?: number;
  mvps?: number;
  money?: number;
  /** Money spent on purchases over the match. */
  spent?: number;
  /** Valorant combat score as the source reports it, when it does. */
  combatScore?: number;
  /** Our combat score (docs/stats.md) when the source has none. */
  combatPoints?: number;
  // ---- MOBAs (lol, dota2)
  creepScore?: number;
  lastHits?: number;
  denies?: number;
  gold?: number;
  totalGold?: number;
  netWorth?: number;
  xp?: number;
  level?: number;
  damageToChampions?: number;
  wardsPlaced?: number;
  wardsKilled?: number;
  visionScore?: number;
  goldAt10?: number;
  goldAt15?: number;
  xpAt10?: number;
  xpAt15?: number;
  csAt10?: number;
  csAt15?: number;
}

export interface PlayerAcc extends PlayerCounters {
  id: string;
  name: string;
  team?: string;
  character?: string;
  /** Lane/role when the source says (LoL: TOP, JUNGLE, MIDDLE, BOTTOM, UTILITY). */
  role?: string;
  /** The latest totals a player.state snapshot reported: used for what no event of the match gives. */
  rep?: PlayerCounters;
}

export interface TeamAcc {
  id: string;
  name: string;
  side?: string;
  score: number;
  kills: number;
  objectives: Record<string, number>;
  /** Shooters: money spent per round (index = round − 1) and the buy type of each round. */
  roundSpend?: number[];
  buys?: string[];
  /** MOBAs: team gold and xp at 10 and 15 minutes. */
  goldAt10?: number;
  goldAt15?: number;
  xpAt10?: number;
  xpAt15?: number;
  /** Values a team.state snapshot reported (sources that report totals, not events). */
  reported?: Record<string, number>;
}

export interface RoundRecord {
  round: number;
  winner?: string;
  winnerSide?: string;
  reason?: string;
  score: [number, number];
  /** Buy type per team (same order as teams). */
  buys?: [string, string];
  /** Team money spent in the round. */
  spend?: [number, number];
  firstKill?: { killer?: string; victim: string };
  endedAtMs?: number;
}

/** Round being played (shooters). */
export interface RoundAcc {
  n: number;
  alive: Record<string, true>;
  kills: Record<string, number>;
  /** Players with a kill, assist or trade this round (KAST). */
  kast: Record<string, true>;
  deaths: Array<{ victim: string; killer?: string; ms: number; traded?: true }>;
  first: boolean;
  /** Clutch per team id: the last player alive and how many opponents were alive then. */
  clutch: Record<string, { player: string; vs: number }>;
  /** Health left per victim this round (damage is capped at it). */
  hp: Record<string, number>;
  /** Money spent this round per team id. */
  spend: Record<string, number>;
  startMs: number;
  /** Players who played the round (on a team, present at its start or seen during it). */
  played: Record<string, true>;
}

export interface StatsState {
  v: typeof STATS_VERSION;
  title: Title;
  matchId: string;
  lastSeq: number;
  status: 'live' | 'finished';
  map?: string;
  winner?: string;
  teams: TeamAcc[];
  players: Record<string, PlayerAcc>;
  /** Players in the order first seen (stable output). */
  order: string[];
  /** Kinds of events seen (kill, damage, ward…): derived counters win over reported ones for those. */
  seen: Record<string, true>;
  /** Player id → role, from match.started. */
  roles?: Record<string, string>;
  /** Game clock of the latest event, ms. */
  gameTimeMs: number;
  startedAtMs?: number;
  // ---- shooters
  round?: RoundAcc;
  /** Money spent per team between rounds (freeze time): it belongs to the next round. */
  freeze?: Record<string, number>;
  /** Sides swapped (halftime): the next round is a pistol round. */
  pistolNext?: boolean;
  rounds: RoundRecord[];
  /** Cumulative player counters at the end of each round, for --per-round and backup restores. */
  history: Array<Record<string, PlayerCounters>>;
}

export interface PlayerStatsView extends PlayerCounters {
  id: string;
  name: string;
  team?: string;
  character?: string;
  role?: string;
  kda: number;
  /** Kill participation, 0..1. */
  killParticipation?: number;
  // shooters
  adr?: number;
  kast?: number;
  hsPercent?: number;
  rating?: number;
  acs?: number;
  // MOBAs
  csPerMin?: number;
  gpm?: number;
  xpm?: number;
  dpm?: number;
  damageShare?: number;
  goldDiffAt10?: number;
  goldDiffAt15?: number;
  laneOpponent?: string;
}

export interface TeamStatsView {
  id: string;
  name: string;
  side?: string;
  score: number;
  kills: number;
  deaths: number;
  assists: number;
  objectives: Record<string, number>;
  gold?: number;
  xp?: number;
  netWorth?: number;
  goldDiff?: number;
  xpDiff?: number;
  goldDiffAt10?: number;
  goldDiffAt15?: number;
  money?: number;
  buys?: string[];
}

export interface MatchStatsView {
  matchId: string;
  title: Title;
  status: 'live' | 'finished';
  map?: string;
  winner?: string;
  lastSeq: number;
  durationMs: number;
  rounds?: RoundRecord[];
  players: PlayerStatsView[];
  teams: TeamStatsView[];
}

export type { PlayerRef, TeamRef };
