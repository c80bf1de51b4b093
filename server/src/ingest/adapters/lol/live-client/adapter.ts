// lol-live-client: the Live Client Data API (https://127.0.0.1:2999/liveclientdata/…) polled on a
// player's or spectator's machine: /allgamedata, /eventdata or /playerlist bodies, one per payload.
import { ParseError } from '../../errors.ts';
import type { Adapter, AdapterContext, Draft } from '../../types.ts';
import { arr, compact, isObj, num, obj, optCount, optNum, optStr, parseJson, slug, stableKey, type Obj } from '../../util.ts';
import { TEAMS, compactTime, mapName, player, sideIndex, type Side } from '../common.ts';
import { emitEvents, readEvents } from './events.ts';
import { MAX_ROSTER, SOURCE, activeName, findPlayer, initialState, makeDraft, readPlayer, type LcState } from './state.ts';

interface Body {
  players?: Obj[];
  events?: ReturnType<typeof readEvents>;
  gameData?: Obj;
  active?: Obj;
  /** Game time in ms, when the payload has a clock (gameData.gameTime, else the latest event). */
  gameTime?: number;
}

/** A pause pushes receivedAt − gameTime later by its length; a jump larger than this is another game. */
const NEW_GAME_DRIFT_MS = 20 * 60_000;

function readBody(root: unknown): Body {
  if (Array.isArray(root)) return { players: players(root, '') }; // /playerlist
  // One line of /playerlist (`clutch parse` splits a file holding a JSON array into its items).
  if (isObj(root) && typeof root.championName === 'string' && isObj(root.scores)) return { players: [root] };
  if (!isObj(root)) throw new ParseError(SOURCE, 'expected /liveclientdata/allgamedata, /eventdata ({Events}) or /playerlist ([…]) JSON');
  if (Array.isArray(root.Events)) return withTime({ events: readEvents(root.Events, '/Events') }); // /eventdata
  if (!('allPlayers' in root) && !('gameData' in root) && !('events' in root)) {
    throw new ParseError(SOURCE, 'expected /liveclientdata/allgamedata ({activePlayer, allPlayers, events, gameData}), /eventdata ({Events}) or /playerlist ([…])');
  }
  const body: Body = {};
  if (root.allPlayers !== undefined) body.players = players(arr(SOURCE, root.allPlayers, '/allPlayers'), '/allPlayers');
  if (root.events !== undefined) body.events = readEvents(arr(SOURCE, obj(SOURCE, root.events, '/events').Events ?? [], '/events/Events'), '/events/Events');
  if (root.gameData !== undefined) {
    body.gameData = obj(SOURCE, root.gameData, '/gameData');
    const t = num(SOURCE, body.gameData.gameTime, '/gameData/gameTime');
    if (t < 0 || t > 1e6) throw new ParseError(SOURCE, `gameTime ${t} is not a game time in seconds`, '/gameData/gameTime');
    body.gameTime = Math.round(t * 1000);
  }
  if (isObj(root.activePlayer)) body.active = root.activePlayer;
  return body.gameTime === undefined ? withTime(body) : body;
}

function withTime(body: Body): Body {
  const last = body.events?.reduce((m, e) => Math.max(m, e.ms), -1) ?? -1;
  return last >= 0 ? { ...body, gameTime: last } : body;
}

function players(list: unknown[], at: string): Obj[] {
  if (list.length > MAX_ROSTER) throw new ParseError(SOURCE, `more than ${MAX_ROSTER} players`, at || '/');
  return list.map((p, i) => obj(SOURCE, p, `${at}/${i}`));
}

/** Starts a match on the first payload, and a new one when the game clock goes back or the start moves. */
function ensureMatch(s: LcState, body: Body, ctx: AdapterContext, out: Draft[]): LcState {
  const received = Date.parse(ctx.receivedAt);
  if (Number.isNaN(received)) throw new ParseError(SOURCE, `receivedAt ${ctx.receivedAt} is not a time`);
  const t = body.gameTime;
  const start = received - (t ?? 0);
  const clockWentBack = t !== undefined && t + 10_000 < s.lastGameTime;
  // Only a later start means another game: an earlier one is receivedAt lagging (a recorded file
  // parsed at once has one receivedAt for every poll).
  const startMoved = body.gameData !== undefined && s.startMs !== undefined && start - s.startMs > NEW_GAME_DRIFT_MS;
  if (s.matchId && !clockWentBack && !startMoved) return s;
  const next: LcState = { ...initialState(), startMs: start };
  // The API has neither a match id nor a start time: the start, to the minute, names the match.
  next.matchId = `lolclient-${slug(ctx.streamId, 40)}-${compactTime(Math.round(start / 60_000) * 60_000)}`;
  const g = body.gameData;
  const map = mapName(optNum(g?.mapNumber), optStr(g?.mapName)?.slice(0, 128));
  out.push(makeDraft(next, 'match.started', compact({ teams: TEAMS, map, mode: optStr(g?.gameMode)?.slice(0, 128) }), 0, 'match.started'));
  return next;
}

/** Merges the payload's players into the roster (a body may list only some of them). */
function updateRoster(s: LcState, body: Body): void {
  if (body.players) {
    const roster = [...s.roster];
    for (const p of body.players.map(readPlayer)) {
      if (!p) continue;
      const i = roster.findIndex((r) => r.id === p.id);
      if (i >= 0) roster[i] = p;
      else if (roster.length < MAX_ROSTER) roster.push(p);
    }
    s.roster = roster;
  }
  const me = activeName(body.active);
  if (me) s.active = findPlayer(s, me)?.id ?? s.active;
}

/** Kills per side from the roster's latest scoreboard lines (allPlayers[].scores.kills). */
function scoreboardKills(s: LcState): [number, number] {
  const kills: [number, number] = [0, 0];
  for (const p of s.roster) if (p.side && p.kills !== undefined) kills[sideIndex(p.side)] += p.kills;
  return kills;
}

function playerStats(body: Body, raw: Obj, isMe: boolean) {
  const scores = isObj(raw.scores) ? raw.scores : {};
  return compact({
    kills: optCount(scores.kills),
    deaths: optCount(scores.deaths),
    assists: optCount(scores.assists),
    creepScore: optCount(scores.creepScore),
    level: optCount(raw.level),
    alive: typeof raw.isDead === 'boolean' ? !raw.isDead : undefined,
    // Gold and health are only known for the local player (activePlayer).
    gold: isMe ? optNum(body.active?.currentGold) : undefined,
    health: isMe && isObj(body.active?.championStats) ? optNum(body.active.championStats.currentHealth) : undefined,
  });
}

/** player.state for every player whose scoreboard line changed; team.state when a side's kills changed. */
function emitStates(s: LcState, body: Body, t: number, out: Draft[]): void {
  if (!body.players) return;
  const sigs: Record<string, string> = {};
  for (const raw of body.players) {
    const p = readPlayer(raw);
    if (!p) continue;
    const stats = playerStats(body, raw, p.id === s.active && body.active !== undefined);
    const items = Array.isArray(raw.items) ? raw.items.slice(0, 10).map((i) => (isObj(i) ? optNum(i.itemID) : undefined)).filter((i) => i !== undefined).map(String) : undefined;
    const sig = stableKey(JSON.stringify([stats, items]));
    sigs[p.id] = sig;
    if (s.sigs[p.id] === sig) continue;
    out.push(makeDraft(s, 'player.state', compact({ player: player(p.id, p.name, p.side, p.character), stats, items }), t, `ps:${stableKey(p.id, t, sig)}`));
  }
  // Bounded by the roster: signatures of players not in this payload are kept.
  s.sigs = Object.fromEntries(s.roster.map((p) => [p.id, sigs[p.id] ?? s.sigs[p.id]]).filter((e): e is [string, string] => e[1] !== undefined));
  const kills = s.scoreKills ?? [0, 0];
  for (const side of ['blue', 'red'] as Side[]) {
    const i = sideIndex(side);
    if (s.sentKills?.[i] !== kills[i]) out.push(makeDraft(s, 'team.state', { team: TEAMS[i], stats: { kills: kills[i] } }, t, `ts:${side}:${t}:${kills[i]}`));
  }
  s.sentKills = [kills[0], kills[1]];
}

export const lolLiveClient: Adapter<LcState> = {
  source: 'lol-live-client',
  title: 'lol',
  kind: 'stream',
  format: 'json',
  description:
    'League of Legends Live Client Data API polls (/liveclientdata/allgamedata, /eventdata or /playerlist bodies): kills, structures, dragons/baron/herald, scoreboard state, game end',
  initialState,
  parse(payload, state, ctx) {
    const body = readBody(parseJson(SOURCE, payload));
    const out: Draft[] = [];
    const s: LcState = { ...ensureMatch(state, body, ctx, out) };
    s.seen = [...s.seen];
    s.eventKills = [...s.eventKills];
    updateRoster(s, body);
    // The scoreboard first: a GameEnd in this payload takes its score from it.
    if (body.players) s.scoreKills = scoreboardKills(s);
    if (body.events) emitEvents(s, body.events, out);
    // /playerlist has no clock: its time is receivedAt's distance from the estimated start.
    const t = body.gameTime ?? Math.max(0, Date.parse(ctx.receivedAt) - (s.startMs ?? 0));
    emitStates(s, body, t, out);
    s.lastGameTime = Math.max(s.lastGameTime, body.gameTime ?? 0);
    return { state: s, drafts: out };
  },
};
