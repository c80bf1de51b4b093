// lol-livestats: the LoL esports livestats feed (feed.lolesports.com/livestats/v1), polled:
// GET /window/{gameId} (team totals and a per-player summary, a frame every ~10 s) and
// GET /details/{gameId} (full per-player lines). Contract: openapi.yaml of the lolesports API docs.
import { ParseError } from '../../errors.ts';
import type { Adapter, Draft } from '../../types.ts';
import { arr, compact, isObj, num, obj, optStr, parseJson, str, type Obj } from '../../util.ts';
import { TEAMS, nameId, type Side } from '../common.ts';
import { diffObjectives, inferWinner, playerRef, playerSnapshot, readTeam, teamSnapshot } from './frames.ts';
import { SOURCE, initialState, makeDraft, type LsPlayer, type LsState } from './state.ts';

const MAX_FRAMES = 2000;
const SIDES: Side[] = ['blue', 'red'];

function frameTime(f: Obj, at: string): number {
  const raw = str(SOURCE, f.rfc460Timestamp, `${at}/rfc460Timestamp`);
  const ms = Date.parse(raw);
  if (Number.isNaN(ms) || ms < 0) throw new ParseError(SOURCE, `rfc460Timestamp "${raw.slice(0, 40)}" is not an RFC 3339 time`, `${at}/rfc460Timestamp`);
  return ms;
}

function frames(root: Obj): Obj[] {
  const list = arr(SOURCE, root.frames, '/frames');
  if (list.length > MAX_FRAMES) throw new ParseError(SOURCE, `more than ${MAX_FRAMES} frames`, '/frames');
  return list.map((f, i) => obj(SOURCE, f, `/frames/${i}`));
}

/** A window of another game resets the state; the first window names the players. */
function adoptGame(state: LsState, root: Obj): LsState {
  const gameId = str(SOURCE, root.esportsGameId, '/esportsGameId').slice(0, 100);
  if (!gameId) throw new ParseError(SOURCE, 'esportsGameId is empty', '/esportsGameId');
  const s: LsState = state.gameId === gameId ? { ...state } : { ...initialState(), gameId, matchId: `lolesports-${gameId}` };
  const series = optStr(root.esportsMatchId);
  if (series) s.seriesId = `lolesports-${series.slice(0, 100)}`;
  if (isObj(root.gameMetadata) && s.players.length === 0) s.players = readPlayers(root.gameMetadata);
  return s;
}

function readPlayers(meta: Obj): LsPlayer[] {
  const out: LsPlayer[] = [];
  for (const side of SIDES) {
    const team = meta[`${side}TeamMetadata`];
    const list = isObj(team) && Array.isArray(team.participantMetadata) ? team.participantMetadata.slice(0, 5) : [];
    for (const [i, p] of list.entries()) {
      const at = `/gameMetadata/${side}TeamMetadata/participantMetadata/${i}`;
      const m = obj(SOURCE, p, at);
      const pid = num(SOURCE, m.participantId, `${at}/participantId`);
      const name = (optStr(m.summonerName) ?? `Participant ${pid}`).slice(0, 128);
      const esportsId = optStr(m.esportsPlayerId);
      const champ = optStr(m.championId);
      out.push(compact({ pid, id: esportsId ? esportsId.slice(0, 128) : nameId(name), name, side, character: champ?.slice(0, 128) }));
    }
  }
  return out;
}

function started(s: LsState, meta: unknown, at: number, out: Draft[]): void {
  s.started = true;
  const m = isObj(meta) ? meta : {};
  const teamId = (side: Side) => (isObj(m[`${side}TeamMetadata`]) ? optStr((m[`${side}TeamMetadata`] as Obj).esportsTeamId) : undefined);
  const extra = compact({ esportsGameId: s.gameId, blueEsportsTeamId: teamId('blue'), redEsportsTeamId: teamId('red'), patch: optStr(m.patchVersion)?.slice(0, 32) });
  out.push(makeDraft(s, 'match.started', { teams: TEAMS, map: "Summoner's Rift", extra }, at, 'match.started'));
  // Champions are locked in before the first frame; the feed does not say in which order.
  for (const p of s.players) {
    if (p.character) out.push(makeDraft(s, 'draft.picked', { team: p.side, character: p.character, player: playerRef(s, p.pid) }, at, `pick:${p.pid}`));
  }
}

function windowFrame(s: LsState, f: Obj, at: string, meta: unknown, out: Draft[]): void {
  const ts = frameTime(f, at);
  if (s.windowTs !== undefined && ts <= s.windowTs) return; // overlapping windows repeat frames
  const state = str(SOURCE, f.gameState, `${at}/gameState`);
  const teams = { blue: readTeam(f.blueTeam, `${at}/blueTeam`), red: readTeam(f.redTeam, `${at}/redTeam`) };
  if (!s.started && (state === 'in_game' || state === 'paused' || state === 'finished')) started(s, meta, ts, out);
  // 'paused' is not in the published enum but the live feed uses it during pauses.
  if (state === 'paused' && !s.paused) out.push(makeDraft(s, 'match.paused', {}, ts, `pause:${ts}`));
  if (state === 'in_game' && s.paused) out.push(makeDraft(s, 'match.resumed', {}, ts, `resume:${ts}`));
  s.paused = state === 'paused';
  for (const side of SIDES) diffObjectives(s, side, teams[side], ts, out);
  if (teams.blue.kills !== s.teams.blue.kills || teams.red.kills !== s.teams.red.kills) {
    out.push(makeDraft(s, 'score.changed', { score: [teams.blue.kills, teams.red.kills] }, ts, `score:${teams.blue.kills}:${teams.red.kills}`));
  }
  for (const side of SIDES) {
    teamSnapshot(s, side, teams[side], ts, out);
    for (const [i, p] of teams[side].participants.entries()) playerSnapshot(s, p, ts, `${at}/${side}Team/participants/${i}`, false, out);
    const { participants: _p, ...counts } = teams[side];
    s.teams = { ...s.teams, [side]: counts };
  }
  if (state === 'finished' && !s.ended) ended(s, ts, out);
  s.windowTs = ts;
}

function ended(s: LsState, ts: number, out: Draft[]): void {
  s.ended = true;
  const winner = inferWinner(s.teams);
  const payload = compact({ winner, score: [s.teams.blue.kills, s.teams.red.kills] as [number, number], extra: winner ? { winnerInferredFrom: 'structures' } : undefined });
  out.push(makeDraft(s, 'match.ended', payload, ts, 'match.ended'));
}

function parseWindow(state: LsState, root: Obj): { state: LsState; drafts: Draft[] } {
  const s = adoptGame(state, root);
  s.snaps = { ...s.snaps };
  const out: Draft[] = [];
  const list = frames(root)
    .map((f, i) => ({ f, i, ts: frameTime(f, `/frames/${i}`) }))
    .sort((a, b) => a.ts - b.ts);
  for (const { f, i } of list) windowFrame(s, f, `/frames/${i}`, root.gameMetadata, out);
  return { state: s, drafts: out };
}

function parseDetails(state: LsState, root: Obj): { state: LsState; drafts: Draft[] } {
  // /details has no game id of its own: the window payloads of the same poller name the game.
  const s: LsState = typeof root.esportsGameId === 'string' ? adoptGame(state, root) : { ...state };
  if (!s.matchId) throw new ParseError(SOURCE, 'a /details payload names no game: send a /window payload of the game first (its esportsGameId gives the match id)');
  s.snaps = { ...s.snaps };
  const out: Draft[] = [];
  const list = frames(root)
    .map((f, i) => ({ f, i, ts: frameTime(f, `/frames/${i}`) }))
    .sort((a, b) => a.ts - b.ts);
  for (const { f, i, ts } of list) {
    if (s.detailsTs !== undefined && ts <= s.detailsTs) continue;
    const participants = arr(SOURCE, f.participants, `/frames/${i}/participants`).slice(0, 10);
    for (const [j, p] of participants.entries()) playerSnapshot(s, obj(SOURCE, p, `/frames/${i}/participants/${j}`), ts, `/frames/${i}/participants/${j}`, true, out);
    s.detailsTs = ts;
  }
  return { state: s, drafts: out };
}

export const lolLivestats: Adapter<LsState> = {
  source: 'lol-livestats',
  title: 'lol',
  kind: 'stream',
  format: 'json',
  description:
    'LoL esports livestats feed polls (GET /livestats/v1/window/{gameId} and /details/{gameId} bodies): start, team totals and objectives by frame diffing, scoreboard snapshots, end',
  initialState,
  parse(payload, state) {
    const root = parseJson(SOURCE, payload);
    if (!isObj(root) || !Array.isArray(root.frames)) throw new ParseError(SOURCE, 'expected a livestats /window ({esportsGameId, gameMetadata, frames}) or /details ({frames}) JSON object');
    // A details body has no gameMetadata and no team totals (a poller may add esportsGameId to it).
    const isWindow = 'gameMetadata' in root || root.frames.some((f) => isObj(f) && ('blueTeam' in f || 'redTeam' in f));
    return isWindow ? parseWindow(state, root) : parseDetails(state, root);
  },
};
