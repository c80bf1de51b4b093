// Match-V5 match JSON (GET /lol/match/v5/matches/{id}) → MatchDoc. Handles both shapes seen in the
// wild: 2021 (patch 11.x: gameDuration in ms, riotIdName, no gameEndTimestamp) and 2024 (patch 14.x:
// gameDuration in s, riotIdGameName, gameEndTimestamp, endOfGameResult, horde/atakhan objectives).
import { ParseError } from '../../errors.ts';
import { arr, isObj, num, obj, optCount, optNum, optStr, str, type Obj } from '../../util.ts';
import { MAX_PARTICIPANTS, SOURCE, type FinalStats, type MatchDoc, type MatchPlayer, type MatchTeam } from './types.ts';

export function readMatch(root: Obj): MatchDoc {
  const meta = obj(SOURCE, root.metadata, '/metadata');
  const info = obj(SOURCE, root.info, '/info');
  const matchId = matchIdOf(meta.matchId);
  const participants = arr(SOURCE, info.participants, '/info/participants');
  if (participants.length > MAX_PARTICIPANTS) throw new ParseError(SOURCE, `more than ${MAX_PARTICIPANTS} participants`, '/info/participants');
  const players = participants.map((p, i) => readParticipant(p, `/info/participants/${i}`));
  const teams = arr(SOURCE, info.teams ?? [], '/info/teams').map((t, i) => readTeam(t, `/info/teams/${i}`));
  // An early surrender is the remake vote of the first minutes.
  const flag = (name: string) => participants.some((p) => isObj(p) && p[name] === true);
  const surrender = flag('gameEndedInEarlySurrender') ? 'early surrender' : flag('gameEndedInSurrender') ? 'surrender' : undefined;
  return stripUndefined<MatchDoc>({ matchId, ...times(info), ...optional(info), surrender, teams, players });
}

export function matchIdOf(v: unknown): string {
  const id = str(SOURCE, v, '/metadata/matchId');
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new ParseError(SOURCE, `metadata.matchId "${id.slice(0, 40)}" is not a Riot match id like KR_7014499581`, '/metadata/matchId');
  return id;
}

function times(info: Obj): Pick<MatchDoc, 'gameStart' | 'gameCreation' | 'durationMs'> {
  const gameStart = optNum(info.gameStartTimestamp);
  const gameEnd = optNum(info.gameEndTimestamp);
  const duration = optNum(info.gameDuration);
  // Riot changed the unit at patch 11.20: before it gameDuration was in ms and gameEndTimestamp did
  // not exist; since then gameDuration is in seconds and gameEndTimestamp is present.
  let durationMs: number | undefined;
  if (duration !== undefined && duration >= 0) durationMs = Math.round(gameEnd !== undefined ? duration * 1000 : duration);
  else if (gameStart !== undefined && gameEnd !== undefined && gameEnd >= gameStart) durationMs = gameEnd - gameStart;
  return { gameStart: sane(gameStart), gameCreation: sane(optNum(info.gameCreation)), durationMs };
}

function sane(ms: number | undefined): number | undefined {
  return ms !== undefined && ms > 0 && ms < 8.64e15 ? Math.round(ms) : undefined;
}

function optional(info: Obj): Partial<MatchDoc> {
  return {
    mode: optStr(info.gameMode)?.slice(0, 64),
    mapId: optNum(info.mapId),
    queueId: optNum(info.queueId),
    version: optStr(info.gameVersion)?.slice(0, 64),
    platformId: optStr(info.platformId)?.slice(0, 32),
    endResult: optStr(info.endOfGameResult)?.slice(0, 64),
  };
}

function readParticipant(v: unknown, at: string): MatchPlayer {
  const p = obj(SOURCE, v, at);
  const pid = num(SOURCE, p.participantId, `${at}/participantId`);
  const championId = optNum(p.championId);
  const items = [0, 1, 2, 3, 4, 5, 6].map((i) => optNum(p[`item${i}`])).filter((n): n is number => n !== undefined && n > 0).map(String);
  return stripUndefined({
    pid,
    puuid: nonEmpty(optStr(p.puuid)),
    name: displayName(p),
    teamId: optNum(p.teamId),
    champion: nonEmpty(optStr(p.championName))?.slice(0, 128),
    championId,
    role: nonEmpty(optStr(p.teamPosition) ?? optStr(p.individualPosition))?.slice(0, 16),
    final: finalStats(p),
    items,
  });
}

/** Riot ID (name#tag) when set, else the old summoner name. 2021 payloads call it riotIdName. */
function displayName(p: Obj): string | undefined {
  const game = nonEmpty(optStr(p.riotIdGameName)) ?? nonEmpty(optStr(p.riotIdName));
  const tag = nonEmpty(optStr(p.riotIdTagline));
  if (game) return (tag ? `${game}#${tag}` : game).slice(0, 128);
  return nonEmpty(optStr(p.summonerName))?.slice(0, 128);
}

function finalStats(p: Obj): FinalStats {
  const earned = optNum(p.goldEarned);
  const spent = optNum(p.goldSpent);
  const minions = optCount(p.totalMinionsKilled);
  const monsters = optCount(p.neutralMinionsKilled);
  return stripUndefined({
    kills: optCount(p.kills),
    deaths: optCount(p.deaths),
    assists: optCount(p.assists),
    gold: earned !== undefined && spent !== undefined ? Math.max(0, earned - spent) : undefined,
    totalGold: earned,
    level: optCount(p.champLevel),
    xp: optNum(p.champExperience),
    creepScore: minions !== undefined || monsters !== undefined ? (minions ?? 0) + (monsters ?? 0) : undefined,
    damage: optNum(p.totalDamageDealt),
    damageToChampions: optNum(p.totalDamageDealtToChampions),
    wardsPlaced: optCount(p.wardsPlaced),
    wardsKilled: optCount(p.wardsKilled),
  });
}

function readTeam(v: unknown, at: string): MatchTeam {
  const t = obj(SOURCE, v, at);
  const teamId = num(SOURCE, t.teamId, `${at}/teamId`);
  const bans = arr(SOURCE, t.bans ?? [], `${at}/bans`)
    .slice(0, 10)
    .map((b, i) => {
      const ban = obj(SOURCE, b, `${at}/bans/${i}`);
      return stripUndefined({ championId: num(SOURCE, ban.championId, `${at}/bans/${i}/championId`), pickTurn: optCount(ban.pickTurn) });
    });
  const objectives: Record<string, number> = {};
  if (isObj(t.objectives)) {
    for (const [name, o] of Object.entries(t.objectives).slice(0, 16)) {
      const kills = isObj(o) ? optCount(o.kills) : undefined;
      if (kills !== undefined) objectives[name.slice(0, 32)] = kills;
    }
  }
  const win = typeof t.win === 'boolean' ? t.win : t.win === 'Win' ? true : t.win === 'Fail' ? false : undefined;
  return stripUndefined({ teamId, win, bans, objectives });
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === '' ? undefined : s;
}

/** Drops undefined fields so the state stays plain JSON. */
export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
