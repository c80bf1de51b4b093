// The match lifecycle: warmup, Match_Start, the live start, rounds, halftime, Game Over, restarts.
//
// A real server prints "World triggered Match_Start" many times before a match is live: at every
// warmup (re)start, before a knife round, before and after each mp_restartgame. The line that
// tells them apart comes right after: `MatchStatus: Score: 0:0 … RoundsPlayed: -1` is warmup, 0 is
// a game. Knife rounds are games too, so they are told apart by money: the round_stats block printed
// with the Match_Start shows every player with $0 (knife configs give no money; a real game starts
// with mp_startmoney). Between Match_Start and that verdict, drafts are buffered (normally a few).
import { slug } from '../util.ts';
import { defined, emit, isLive, matchIdAt, type Line, type Run } from './emit.ts';
import type { Msg } from './lines.ts';
import { assignTeams, refreshSides, sideName, teamOn } from './players.ts';
import type { Match, Team } from './state.ts';

type M<K extends Msg['k']> = Extract<Msg, { k: K }>;

/** Round end reasons, spelled as the other CS2 adapters (GSI, get5, MatchZy) spell them. */
const REASONS: Record<string, string> = {
  SFUI_Notice_CTs_Win: 'elimination',
  SFUI_Notice_Terrorists_Win: 'elimination',
  SFUI_Notice_Target_Bombed: 'bomb',
  SFUI_Notice_Bomb_Defused: 'defuse',
  SFUI_Notice_Target_Saved: 'time',
  SFUI_Notice_Hostages_Rescued: 'hostages_rescued',
  SFUI_Notice_All_Hostages_Rescued: 'hostages_rescued',
  SFUI_Notice_Hostages_Not_Rescued: 'hostages_not_rescued',
  SFUI_Notice_CTs_Surrender: 'surrender',
  SFUI_Notice_Terrorists_Surrender: 'surrender',
};

function teamsFrom(names: Record<string, string>): [Team, Team] {
  const ct = names['CT'] ?? '';
  const t = names['TERRORIST'] ?? '';
  let a: Team = ct ? { id: slug(ct), name: ct } : { id: 'ct', name: 'CT' };
  let b: Team = t ? { id: slug(t), name: t } : { id: 't', name: 'T' };
  if (a.id === b.id) {
    a = { ...a, id: `${a.id}-ct`.slice(0, 128) };
    b = { ...b, id: `${b.id}-t`.slice(0, 128) };
  }
  return [a, b];
}

/** Ends the live match early (restart, back to warmup, map change): no winner, the score so far. */
function abort(run: Run, line: Line, reason: string): void {
  const m = run.st.match;
  if (isLive(run) && m) {
    emit(run, 'match.ended', { score: [...m.score], reason: `aborted: ${reason}`, durationMs: Math.max(0, line.ms - m.startMs) }, line, `match.ended:${m.id}`);
  }
  run.st.match = undefined;
  run.st.pending = undefined;
  run.st.phase = 'idle';
}

function goLive(run: Run, joined = false): void {
  const { st } = run;
  const p = st.pending!;
  const m: Match = { id: matchIdAt(run, p.ms), startMs: p.ms, teams: teamsFrom(st.names), ct: 0, dirty: false, score: [0, 0], round: 0, ended: 0, draws: 0, kills: 0 };
  if (joined && st.status) {
    // Joining mid-match: the score so far from the last MatchStatus (by side; team 0 is on CT now).
    m.score = [st.status.ct, st.status.t];
    m.round = m.ended = st.status.played;
    m.draws = Math.max(0, st.status.played - st.status.ct - st.status.t);
  }
  st.match = m;
  st.phase = 'live';
  st.pending = undefined;
  assignTeams(st, m);
  const start: Line = { text: '', iso: new Date(p.ms).toISOString(), ms: p.ms, occ: 0 };
  const teams: [Team & { side: string }, Team & { side: string }] = [
    { ...m.teams[0], side: 'ct' },
    { ...m.teams[1], side: 't' },
  ];
  emit(run, 'match.started', defined({ teams, map: st.map, extra: joined ? { joinedMidMatch: true, roundsPlayed: m.ended } : undefined }), start, `match.started:${m.id}`);
  run.out.push(...p.drafts);
}

/** The pending Match_Start turned out to be a game: live, or a knife round to ignore. */
function resolve(run: Run): void {
  const { st } = run;
  if (st.phase !== 'pending' || !st.pending) return;
  if (st.pending.knife) {
    st.phase = 'knife';
    st.pending = undefined;
  } else goLive(run);
}

function matchStart(run: Run, line: Line): void {
  const { st } = run;
  if (isLive(run)) {
    if (st.match!.round === 0) return; // restart before the first round: still the same match
    abort(run, line, 'restarted');
  }
  st.phase = 'pending';
  st.pending = { ms: line.ms, knife: st.zeroMoney === true, drafts: [] };
}

function roundStart(run: Run, line: Line): void {
  const { st } = run;
  resolve(run);
  // A round starts and we never saw its Match_Start (the stream began mid-match): join it. Without
  // a MatchStatus line seen, the round number is unknown until the round ends: no round.started.
  const joining = st.phase === 'idle' && !st.warmup && st.zeroMoney !== true;
  if (joining) {
    st.phase = 'pending';
    st.pending = { ms: line.ms, knife: false, drafts: [] };
    goLive(run, true);
  }
  st.zeroMoney = undefined;
  const m = st.match;
  if (!isLive(run) || !m) return;
  m.round = m.ended + 1;
  m.kills = 0;
  m.site = undefined;
  m.defuser = undefined;
  m.defused = undefined;
  m.dirty = true;
  refreshSides(st, m);
  if (!joining || st.status) emit(run, 'round.started', { round: m.round }, line);
}

/** Applies the scores by side a round end prints; returns the number of the round that ended. */
function scoreRound(run: Run, m: Match, ct: number, t: number): number {
  refreshSides(run.st, m);
  m.score[m.ct] = ct;
  m.score[m.ct === 0 ? 1 : 0] = t;
  m.round = m.ended = ct + t + m.draws;
  return m.round;
}

/** A round ended with no winner (draw): the score is kept, no round.ended (its winner is required). */
function roundDraw(run: Run, ct: number, t: number): void {
  const m = run.st.match;
  if (!isLive(run) || !m) return;
  m.draws++;
  scoreRound(run, m, ct, t);
}

export function onWorld(run: Run, msg: M<'world'>, line: Line): void {
  const { st } = run;
  if (msg.map) st.map = msg.map;
  if (msg.event === 'Warmup_Start') {
    st.warmup = true;
    abort(run, line, 'warmup');
  } else if (msg.event === 'Warmup_End') st.warmup = false;
  else if (msg.event === 'Match_Start') matchStart(run, line);
  else if (msg.event === 'Round_Start') roundStart(run, line);
  else if (msg.event.startsWith('SFUI_Notice_') && msg.ct !== undefined && msg.t !== undefined) roundDraw(run, msg.ct, msg.t);
}

/** `MatchStatus: Score: …`: RoundsPlayed -1 is warmup, anything else a game. */
export function onStatus(run: Run, msg: M<'status'>, line: Line): void {
  const { st } = run;
  if (msg.map) st.map = msg.map;
  st.status = { ct: msg.ct, t: msg.t, played: Math.max(0, msg.roundsPlayed) };
  if (msg.roundsPlayed < 0) {
    st.warmup = true;
    abort(run, line, 'warmup');
  } else {
    st.warmup = false;
    resolve(run);
    const m = st.match;
    // A round backup was restored (mp_backup_restore_load_file): fewer rounds played than we counted.
    // Rounds are numbered again from there, and the score goes back (stats roll back on the next
    // round.started with a number already played).
    if (isLive(run) && m && msg.roundsPlayed < m.ended) {
      refreshSides(st, m);
      m.score[m.ct] = msg.ct;
      m.score[m.ct === 0 ? 1 : 0] = msg.t;
      m.draws = Math.max(0, msg.roundsPlayed - msg.ct - msg.t);
      m.round = m.ended = msg.roundsPlayed;
      emit(run, 'score.changed', { score: [m.score[0], m.score[1]] }, line);
    }
  }
}

function bombOutcome(run: Run, m: Match, notice: string, line: Line): void {
  const site = m.site;
  if (notice === 'SFUI_Notice_Target_Bombed') emit(run, 'bomb.exploded', defined({ site }), line);
  if (notice === 'SFUI_Notice_Bomb_Defused' && !m.defused) {
    emit(run, 'bomb.defused', defined({ player: m.defuser, site }), line);
    m.defused = true;
  }
}

/** `Team "CT" triggered "SFUI_Notice_CTs_Win" (CT "n") (T "m")`: the round winner, scores by side. */
export function onNotice(run: Run, msg: M<'notice'>, line: Line): void {
  const m = run.st.match;
  if (!isLive(run) || !m) return;
  const round = scoreRound(run, m, msg.ct, msg.t);
  if (round < 1) return; // "(CT 0) (T 0)" with a winner: not a real round end
  const winner = teamOn(run.st, m, msg.side as 'CT' | 'TERRORIST');
  bombOutcome(run, m, msg.notice, line);
  const reason = REASONS[msg.notice] ?? msg.notice.replace(/^SFUI_Notice_/, '').toLowerCase();
  const score: [number, number] = [m.score[0], m.score[1]];
  emit(run, 'round.ended', { round, winner: m.teams[winner].id, winnerSide: sideName(msg.side), score, reason, extra: { notice: msg.notice } }, line);
}

/** `Game Over: competitive  de_inferno score 2:13 after 10 min` (CT:T): the final score and winner. */
export function onGameOver(run: Run, msg: M<'gameOver'>, line: Line): void {
  const { st } = run;
  const m = st.match;
  if (!isLive(run) || !m) return;
  const ctTeam = teamOn(st, m, 'CT');
  const score: [number, number] = ctTeam === 0 ? [msg.ct, msg.t] : [msg.t, msg.ct];
  const winner = score[0] === score[1] ? undefined : m.teams[score[0] > score[1] ? 0 : 1].id;
  const extra = { mode: msg.mode, minutes: msg.minutes, rounds: m.ended };
  emit(run, 'match.ended', defined({ winner, score, reason: 'game_over', durationMs: Math.max(0, line.ms - m.startMs), extra }), line, `match.ended:${m.id}`);
  st.match = undefined;
  st.phase = 'idle';
}

export function onPause(run: Run, msg: M<'pause'>, line: Line): void {
  const m = run.st.match;
  if (!msg.on) return emit(run, 'match.resumed', {}, line);
  const timeout = /^TimeOut(CT|T)s$/.exec(msg.reason);
  const team = timeout && m ? m.teams[teamOn(run.st, m, timeout[1] === 'CT' ? 'CT' : 'TERRORIST')].id : undefined;
  emit(run, 'match.paused', defined({ reason: timeout ? 'timeout' : msg.reason === 'mp_pause_match' ? 'pause' : msg.reason, team }), line);
}

export function onLoadingMap(run: Run, msg: M<'loadingMap'>, line: Line): void {
  abort(run, line, 'map changed');
  run.st.map = msg.map;
}

export function onTeamName(run: Run, msg: M<'teamName'>): void {
  run.st.names[msg.side] = msg.name.slice(0, 128);
}
