// Reads one Dota 2 GSI payload into a flat snapshot: the fields the adapter diffs, nothing else.
// Two shapes exist: playing (flat `player`, `hero`, `items` for the local player) and spectating
// (`player.team2.player0` … `team3.player9`, same for `hero` and `items`). Unknown or placeholder
// values ("string" where a number belongs, as in some published captures) are ignored, not fatal.
import { ParseError } from '../errors.ts';
import { isObj, optCount, optNum, optStr, type Obj } from '../util.ts';
import { dotaPlayerId, type Side } from './common.ts';
import { heroNameById, heroNameByInternal } from './heroes.ts';

export const GSI = 'dota2-gsi';

/** At most this many players, buildings per team, draft slots per team, events per payload are read. */
export const MAX_PLAYERS = 24;
const MAX_BUILDINGS = 64;
const MAX_DRAFT_SLOTS = 12;
const MAX_EVENTS = 64;

export interface GsiPlayer {
  /** "p0"…"p9" (spectating: the GSI player index, which kill lists refer to) or "local" (playing). */
  slot: string;
  id: string;
  name: string;
  side?: Side;
  hero?: string;
  kills?: number;
  deaths?: number;
  assists?: number;
  lastHits?: number;
  denies?: number;
  gold?: number;
  netWorth?: number;
  level?: number;
  xp?: number;
  health?: number;
  alive?: boolean;
  x?: number;
  y?: number;
  items: string[];
  /** victim index ("8" from "victimid_8") → kills of that victim. */
  killList: Record<string, number>;
}

export interface DraftEntry {
  side: Side;
  kind: 'pick' | 'ban';
  slot: number;
  heroId: number;
  hero: string;
}

export interface GsiEvent {
  type: string;
  gameTime?: number;
  team?: Side;
  playerIndex?: number;
}

export interface Snapshot {
  matchNumber?: unknown;
  gameState?: string;
  /** The in-game clock (s), negative before the horn. */
  clock?: number;
  /** map.game_time (s): the clock events[] are stamped with. */
  gameTime?: number;
  /** provider.timestamp (unix s). */
  timestamp?: number;
  score?: [number, number];
  winTeam?: string;
  spectating: boolean;
  players: GsiPlayer[];
  /** Buildings by owner: name → health. Absent when the payload has no such block. */
  buildings: Partial<Record<Side, Record<string, number>>>;
  draft: DraftEntry[];
  events: GsiEvent[];
}

const sideOfBlock = (k: string): Side | undefined => (k === 'team2' ? 'radiant' : k === 'team3' ? 'dire' : undefined);
const sideOf = (v: unknown): Side | undefined => (v === 'radiant' ? 'radiant' : v === 'dire' ? 'dire' : undefined);

export function readSnapshot(root: Obj): Snapshot {
  const map = isObj(root.map) ? root.map : undefined;
  const provider = isObj(root.provider) ? root.provider : undefined;
  const appid = optNum(provider?.appid);
  if (appid !== undefined && appid !== 570) throw new ParseError(GSI, `provider.appid is ${appid}, not Dota 2 (570): is this the right ingest source?`, '/provider/appid');
  const r = optCount(map?.radiant_score);
  const d = optCount(map?.dire_score);
  const spectating = isObj(root.player) && (isObj(root.player.team2) || isObj(root.player.team3));
  return {
    matchNumber: map?.matchid,
    gameState: optStr(map?.game_state),
    clock: optNum(map?.clock_time),
    gameTime: optNum(map?.game_time),
    timestamp: optNum(provider?.timestamp),
    score: r !== undefined && d !== undefined ? [r, d] : undefined,
    winTeam: optStr(map?.win_team),
    spectating,
    players: spectating ? readSpectated(root) : readLocal(root),
    buildings: readBuildings(root.buildings),
    draft: readDraft(root.draft),
    events: readEvents(root.events),
  };
}

function readLocal(root: Obj): GsiPlayer[] {
  const p = root.player;
  if (!isObj(p) || (p.steamid === undefined && p.accountid === undefined)) return [];
  return [readPlayer('local', p, isObj(root.hero) ? root.hero : undefined, isObj(root.items) ? root.items : undefined, sideOf(p.team_name))];
}

function readSpectated(root: Obj): GsiPlayer[] {
  const players = root.player as Obj;
  const out: GsiPlayer[] = [];
  for (const block of ['team2', 'team3']) {
    const side = sideOfBlock(block);
    const team = players[block];
    if (!isObj(team)) continue;
    for (const [key, p] of Object.entries(team)) {
      const m = /^player(\d{1,2})$/.exec(key);
      if (!m || !isObj(p) || out.length >= MAX_PLAYERS) continue;
      const hero = sectionOf(root.hero, block, key);
      const items = sectionOf(root.items, block, key);
      out.push(readPlayer(`p${Number(m[1])}`, p, hero, items, side));
    }
  }
  return out;
}

function sectionOf(section: unknown, block: string, key: string): Obj | undefined {
  if (!isObj(section) || !isObj(section[block])) return undefined;
  const v = (section[block] as Obj)[key];
  return isObj(v) ? v : undefined;
}

function readPlayer(slot: string, p: Obj, hero: Obj | undefined, items: Obj | undefined, side: Side | undefined): GsiPlayer {
  const name = (optStr(p.name) ?? '').slice(0, 128);
  const heroName = optStr(hero?.name);
  const alive = hero?.alive;
  return {
    slot,
    id: dotaPlayerId(p.accountid ?? p.steamid, name, slot),
    name,
    side: side ?? sideOf(p.team_name),
    hero: heroName && heroName.startsWith('npc_dota_hero_') ? heroNameByInternal(heroName) : undefined,
    kills: optCount(p.kills),
    deaths: optCount(p.deaths),
    assists: optCount(p.assists),
    lastHits: optCount(p.last_hits),
    denies: optCount(p.denies),
    gold: optNum(p.gold),
    netWorth: optNum(p.net_worth),
    level: optCount(hero?.level),
    xp: optNum(hero?.xp),
    health: optNum(hero?.health),
    alive: typeof alive === 'boolean' ? alive : undefined,
    x: optNum(hero?.xpos),
    y: optNum(hero?.ypos),
    items: readItems(items),
    killList: readKillList(p.kill_list),
  };
}

/** Inventory (slot0-5), backpack (slot6-8) and the neutral slot, without "item_" and empty slots. */
function readItems(items: Obj | undefined): string[] {
  if (!items) return [];
  const out: string[] = [];
  for (const key of ['slot0', 'slot1', 'slot2', 'slot3', 'slot4', 'slot5', 'slot6', 'slot7', 'slot8', 'neutral0']) {
    const it = items[key];
    const name = isObj(it) ? optStr(it.name) : undefined;
    if (name && name !== 'empty') out.push(name.replace(/^item_/, '').slice(0, 128));
  }
  return out;
}

function readKillList(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObj(v)) return out;
  for (const [k, n] of Object.entries(v)) {
    const m = /^victimid_(\d{1,2})$/.exec(k);
    const count = optCount(n);
    if (m && count !== undefined && Object.keys(out).length < MAX_PLAYERS) out[String(Number(m[1]))] = count;
  }
  return out;
}

function readBuildings(v: unknown): Snapshot['buildings'] {
  const out: Snapshot['buildings'] = {};
  if (!isObj(v)) return out;
  for (const side of ['radiant', 'dire'] as const) {
    const team = v[side];
    if (!isObj(team)) continue;
    const health: Record<string, number> = {};
    for (const [name, b] of Object.entries(team).slice(0, MAX_BUILDINGS)) {
      const h = isObj(b) ? optNum(b.health) : undefined;
      if (h !== undefined && name.length <= 64) health[name] = h;
    }
    out[side] = health;
  }
  return out;
}

function readDraft(v: unknown): DraftEntry[] {
  const out: DraftEntry[] = [];
  if (!isObj(v)) return out;
  for (const block of ['team2', 'team3']) {
    const team = v[block];
    const side = sideOfBlock(block);
    if (!isObj(team) || !side) continue;
    for (const kind of ['pick', 'ban'] as const) {
      for (let slot = 0; slot < MAX_DRAFT_SLOTS; slot++) {
        const heroId = optCount(team[`${kind}${slot}_id`]);
        if (!heroId) continue; // 0 or absent: slot not filled yet
        const cls = optStr(team[`${kind}${slot}_class`]);
        out.push({ side, kind, slot, heroId, hero: cls ? heroNameByInternal(cls) : heroNameById(heroId) });
      }
    }
  }
  return out;
}

function readEvents(v: unknown): GsiEvent[] {
  if (!Array.isArray(v)) return [];
  const out: GsiEvent[] = [];
  for (const e of v.slice(0, MAX_EVENTS)) {
    if (!isObj(e)) continue;
    const type = optStr(e.event_type);
    if (!type) continue;
    const player = optCount(e.killer_player_id ?? e.player_id);
    out.push({ type: type.slice(0, 64), gameTime: optNum(e.game_time), team: sideOf(e.killed_by_team ?? e.team), playerIndex: player });
  }
  return out;
}
