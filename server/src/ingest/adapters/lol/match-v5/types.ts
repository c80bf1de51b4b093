// The compact form the Match-V5 documents are kept in between `parse` and `finish`: only what the
// canonical events need (a 1 MB timeline becomes a few tens of KB), JSON-serialisable.

export const SOURCE = 'lol-match';

/** Bounds on one match (a real 5v5 timeline has ~40 frames and ~1,300 events; Arena has 16 players). */
export const MAX_FRAMES = 400;
export const MAX_EVENTS = 20_000;
export const MAX_PARTICIPANTS = 16;

export interface FinalStats {
  kills?: number;
  deaths?: number;
  assists?: number;
  gold?: number;
  totalGold?: number;
  level?: number;
  xp?: number;
  creepScore?: number;
  damage?: number;
  damageToChampions?: number;
  wardsPlaced?: number;
  wardsKilled?: number;
}

export interface MatchPlayer {
  pid: number;
  puuid?: string;
  name?: string;
  teamId?: number;
  champion?: string;
  championId?: number;
  /** teamPosition (TOP, JUNGLE, MIDDLE, BOTTOM, UTILITY) when Riot assigned one. */
  role?: string;
  final?: FinalStats;
  items?: string[];
}

export interface MatchTeam {
  teamId: number;
  win?: boolean;
  bans: { championId: number; pickTurn?: number }[];
  /** objectives.<name>.kills: champion, tower, inhibitor, dragon, baron, riftHerald, horde, atakhan… */
  objectives: Record<string, number>;
}

export interface MatchDoc {
  matchId: string;
  gameStart?: number;
  gameCreation?: number;
  durationMs?: number;
  mode?: string;
  mapId?: number;
  queueId?: number;
  version?: string;
  platformId?: string;
  endResult?: string;
  /** How the game ended when not by the nexus: 'surrender' or 'early surrender' (remake). */
  surrender?: 'surrender' | 'early surrender';
  teams: MatchTeam[];
  players: MatchPlayer[];
}

/** One participant in one minute frame: gold, totalGold, xp, level, creep score, x, y, damage to champions. */
export type FrameRow = [pid: number, gold: number, totalGold: number, xp: number, level: number, cs: number, x: number | null, y: number | null, dmg: number | null];

export interface Frame {
  t: number;
  rows: FrameRow[];
}

interface Base {
  t: number;
}
export type TEvent = Base &
  (
    | { k: 'kill'; killer: number; victim: number; assists: number[]; x?: number; y?: number; bounty?: number; shutdown?: number; streak?: number; fb?: boolean; multi?: number; ace?: boolean }
    | { k: 'monster'; killer: number; team?: number; type: string; sub?: string; assists: number[]; x?: number; y?: number; bounty?: number }
    | { k: 'building'; killer: number; owner?: number; type: string; lane?: string; tower?: string; assists: number[]; x?: number; y?: number; bounty?: number }
    | { k: 'plate'; killer: number; owner?: number; lane?: string; x?: number; y?: number }
    | { k: 'buy' | 'sell'; pid: number; item: string }
    | { k: 'ward' | 'unward'; pid: number; ward: string }
    | { k: 'level'; pid: number; level: number }
    | { k: 'pause' | 'resume' }
  );

export interface TimelineDoc {
  matchId: string;
  /** Epoch ms of game time 0, from the events' realTimestamp. */
  base?: number;
  winningTeam?: number;
  endT?: number;
  participants: { pid: number; puuid?: string; champion?: string }[];
  frames: Frame[];
  events: TEvent[];
}

export interface MatchState {
  match?: MatchDoc;
  timeline?: TimelineDoc;
}
