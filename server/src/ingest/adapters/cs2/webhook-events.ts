// get5 / MatchZy events → canonical drafts, one handler per event name. Keys come from the body only
// (round, round time, players) so a re-sent identical body is a duplicate; the state adds what bodies
// repeat (pause number, backup epoch) so two real facts never share a key.
import type { PayloadOf, PlayerRef } from '@clutch/core';
import { ParseError } from '../errors.ts';
import type { Draft } from '../types.ts';
import { arr, compact, isObj, optCount, optNum, optStr, type Obj } from '../util.ts';
import { draft, key, otherSide, ref, roundEndReason, type DraftBase } from './common.ts';
import {
  count,
  optBool,
  optCountField,
  optPlayer,
  readPlayer,
  readTeam,
  readWinner,
  teamIndex,
  weaponName,
  type WPlayer,
  type WTeam,
  type WebhookSource,
} from './webhook-read.ts';
import { learnRoster, learnTeams, teamRefOf, type MapMem, type SeriesMem } from './webhook-state.ts';

export interface H {
  src: WebhookSource;
  event: string;
  body: Obj;
  s: SeriesMem;
  map: number;
  mm: MapMem;
  base: DraftBase;
}

export type Handler = (h: H) => Draft[];

const MAX_VICTIMS = 32;

/** A key unique in the match: prefixed by the backup epoch, since restored rounds are played again. */
function k(h: H, ...parts: (string | number)[]): string {
  return h.mm.epoch ? key(`e${h.mm.epoch}`, ...parts) : key(...parts);
}

/**
 * A player's team: from the roster (player lists of round_end / map_result), else, before the first
 * round of the map has ended, from the starting sides of the veto (no halftime can have passed yet).
 */
function pref(h: H, p: WPlayer): PlayerRef {
  let i = h.s.roster[p.id];
  const firstRound = h.mm.score !== undefined && h.mm.score[0] + h.mm.score[1] === 0;
  if (i === undefined && firstRound && p.side && h.mm.team1Side) i = p.side === h.mm.team1Side ? 0 : 1;
  return ref(p.id, p.name, i === undefined ? undefined : h.s.teams[i].id, p.side);
}

/** Round and round time as key parts ("-" when absent: MatchZy sends round_time 0 or nothing). */
function at(h: H): [string | number, string | number] {
  return [optCountField(h.src, h.body, 'round_number') ?? '-', optCountField(h.src, h.body, 'round_time') ?? '-'];
}

export const goingLive: Handler = (h) => {
  h.s.map = h.map;
  h.mm.score = [0, 0];
  const t1 = h.mm.team1Side;
  const teams: PayloadOf<'match.started'>['teams'] = [teamRefOf(h.s, 0, t1), teamRefOf(h.s, 1, t1 && otherSide(t1))];
  const bestOf = h.s.numMaps !== undefined && h.s.numMaps >= 1 && h.s.numMaps <= 9 ? h.s.numMaps : undefined;
  const map = h.mm.name ?? optStr(h.body.map_name)?.slice(0, 128);
  return [draft(h.base, 'match.started', compact({ teams, map, bestOf, extra: { mapNumber: h.map } }), k(h, 'match.started'))];
};

export const roundStart: Handler = (h) => {
  const rn = optCountField(h.src, h.body, 'round_number');
  if (rn === undefined) throw new ParseError(h.src, 'round_start without round_number', '/round_number');
  return [draft(h.base, 'round.started', { round: rn + 1 }, k(h, 'round.started', rn + 1))];
};

function scoresOf(t1: WTeam, t2: WTeam): [number, number] | undefined {
  return t1.score !== undefined && t2.score !== undefined ? [t1.score, t2.score] : undefined;
}

/**
 * The round winner. The score that moved by one is the surest sign (MatchZy's `winner.team` names the
 * team leading the map, not the round winner); then get5's `winner.team`, then the winning side.
 */
function roundWinner(h: H, score: [number, number], t1: WTeam, t2: WTeam): 0 | 1 | undefined {
  const prev = h.mm.score;
  if (prev) {
    const d = [score[0] - prev[0], score[1] - prev[1]];
    if (d[0] === 1 && d[1] === 0) return 0;
    if (d[1] === 1 && d[0] === 0) return 1;
  }
  const w = readWinner(h.body);
  if (h.src === 'get5' && w.team !== undefined) return w.team;
  if (w.side && t1.side && t2.side && t1.side !== t2.side) return t1.side === w.side ? 0 : 1;
  return w.team;
}

/** The round that ended, 1-based: get5 sends the 0-based round; MatchZy the rounds played (score sum). */
function endedRound(h: H, score: [number, number]): number {
  const rn = optCountField(h.src, h.body, 'round_number');
  const sum = score[0] + score[1];
  if (h.src === 'matchzy' && sum > 0) return sum;
  if (rn !== undefined) return rn + 1;
  if (sum > 0) return sum;
  throw new ParseError(h.src, 'round_end without round_number', '/round_number');
}

function teamsOf(h: H): [WTeam, WTeam] {
  const t1 = readTeam(h.src, h.body, 'team1');
  const t2 = readTeam(h.src, h.body, 'team2');
  learnTeams(h.s, t1, t2);
  learnRoster(h.s, [t1, t2]);
  return [t1, t2];
}

/** player.state for every listed player and team.state for both teams. */
function states(h: H, teams: [WTeam, WTeam], prefix: string | number): Draft[] {
  const out: Draft[] = [];
  teams.forEach((t, i) => {
    const team = h.s.teams[i as 0 | 1].id;
    for (const { player, stats } of t.players) {
      const p = ref(player.id, player.name, team, t.side ?? player.side);
      out.push(draft(h.base, 'player.state', { player: p, stats: compact({ ...stats }) }, k(h, 'state', prefix, `team${i + 1}`, player.id)));
    }
  });
  teams.forEach((t, i) => {
    out.push(draft(h.base, 'team.state', { team: teamRefOf(h.s, i as 0 | 1, t.side), stats: compact({ score: t.score }) }, k(h, 'state', prefix, `team${i + 1}`)));
  });
  return out;
}

export const roundEnd: Handler = (h) => {
  const [t1, t2] = teamsOf(h);
  const score = scoresOf(t1, t2);
  if (!score) throw new ParseError(h.src, 'round_end without both team scores', '/team1/score');
  const round = endedRound(h, score);
  const winner = roundWinner(h, score, t1, t2);
  h.mm.score = score;
  const out: Draft[] = [];
  if (winner === undefined) {
    out.push(draft(h.base, 'score.changed', { score }, k(h, 'score', round, score[0], score[1])));
  } else {
    const code = optCount(h.body.reason);
    const payload = compact({
      round,
      winner: h.s.teams[winner].id,
      winnerSide: readWinner(h.body).side ?? (winner === 0 ? t1 : t2).side,
      score,
      // get5 sends SourceMod's CSRoundEndReason (engine value − 1); MatchZy the engine value.
      reason: roundEndReason(code === undefined ? undefined : h.src === 'get5' ? code + 1 : code),
      extra: compact({ reasonCode: code, roundTimeMs: optCount(h.body.round_time) }),
    });
    out.push(draft(h.base, 'round.ended', payload, k(h, 'round.ended', round)));
  }
  out.push(...states(h, [t1, t2], round));
  return out;
};

export const mapResult: Handler = (h) => {
  const [t1, t2] = teamsOf(h);
  const score = scoresOf(t1, t2);
  if (!score) throw new ParseError(h.src, 'map_result without both team scores', '/team1/score');
  const w = readWinner(h.body).team ?? (score[0] > score[1] ? 0 : score[1] > score[0] ? 1 : undefined);
  const seriesScore = t1.seriesScore !== undefined && t2.seriesScore !== undefined ? [t1.seriesScore, t2.seriesScore] : undefined;
  const payload = compact({ winner: w === undefined ? undefined : h.s.teams[w].id, score, extra: compact({ seriesScore, mapNumber: h.map }) });
  return [draft(h.base, 'match.ended', payload, k(h, 'match.ended')), ...states(h, [t1, t2], 'final')];
};

export const playerDeath: Handler = (h) => {
  const b = h.body;
  const victim = readPlayer(h.src, b.player, '/player');
  const attacker = optPlayer(h.src, b.attacker, '/attacker');
  const assist = isObj(b.assist) ? b.assist : undefined;
  const assister = assist ? optPlayer(h.src, assist.player, '/assist/player') : undefined;
  const payload: PayloadOf<'player.killed.player'> = compact({
    // A suicide names the victim as attacker: the canonical form has no killer then.
    killer: attacker && attacker.id !== victim.id ? pref(h, attacker) : undefined,
    victim: pref(h, victim),
    assisters: assister ? [pref(h, assister)] : undefined,
    weapon: weaponName(b.weapon),
    headshot: optBool(b.headshot),
    penetrated: optBool(b.penetrated),
    throughSmoke: optBool(b.thru_smoke),
    noScope: optBool(b.no_scope),
    attackerBlind: optBool(b.attacker_blind),
    teamKill: optBool(b.friendly_fire),
    suicide: optBool(b.suicide),
    extra: compact({
      flashAssist: assist ? optBool(assist.flash_assist) : undefined,
      assistFriendlyFire: assist ? optBool(assist.friendly_fire) : undefined,
      bomb: optBool(b.bomb),
      roundTimeMs: optCount(b.round_time),
      weaponId: isObj(b.weapon) ? optCount(b.weapon.id) : undefined,
    }),
  });
  return [draft(h.base, 'player.killed.player', payload, k(h, 'kill', ...at(h), victim.id))];
};

function site(v: unknown): string | undefined {
  return optStr(v)?.toLowerCase().slice(0, 16) || undefined;
}

export const bomb: Handler = (h) => {
  const player = optPlayer(h.src, h.body.player, '/player');
  const s = site(h.body.site);
  const id = k(h, h.event, ...at(h));
  if (h.event === 'bomb_exploded') return [draft(h.base, 'bomb.exploded', compact({ site: s }), id)];
  const payload = compact({ player: player && pref(h, player), site: s });
  return [draft(h.base, h.event === 'bomb_planted' ? 'bomb.planted' : 'bomb.defused', payload, id)];
};

export const grenadeThrown: Handler = (h) => {
  const player = readPlayer(h.src, h.body.player, '/player');
  const grenade = weaponName(h.body.weapon) ?? 'grenade';
  return [draft(h.base, 'player.threw.grenade', { player: pref(h, player), grenade }, k(h, 'grenade', ...at(h), player.id, grenade))];
};

function victims(h: H): { v: Obj; p: WPlayer }[] {
  if (h.body.victims === undefined || h.body.victims === null) return [];
  const list = arr(h.src, h.body.victims, '/victims');
  if (list.length > MAX_VICTIMS) throw new ParseError(h.src, `${list.length} victims (at most ${MAX_VICTIMS})`, '/victims');
  return list.map((v, i) => {
    if (!isObj(v)) throw new ParseError(h.src, 'expected an object', `/victims/${i}`);
    return { v, p: readPlayer(h.src, v.player, `/victims/${i}/player`) };
  });
}

export const flashbang: Handler = (h) => {
  const thrower = readPlayer(h.src, h.body.player, '/player');
  return victims(h).flatMap(({ v, p }) => {
    const seconds = optNum(v.blind_duration);
    if (seconds === undefined || seconds <= 0 || seconds > 60) return [];
    const payload = { attacker: pref(h, thrower), victim: pref(h, p), durationMs: Math.round(seconds * 1000) };
    return [draft(h.base, 'player.blinded.player', payload, k(h, 'blind', ...at(h), thrower.id, p.id))];
  });
};

/** hegrenade_detonated / molotov_detonated: one player.damaged.player per victim hurt. */
export const grenadeDamage: Handler = (h) => {
  const thrower = readPlayer(h.src, h.body.player, '/player');
  const weapon = weaponName(h.body.weapon) ?? (h.event === 'hegrenade_detonated' ? 'hegrenade' : 'molotov');
  return victims(h).flatMap(({ v, p }, i) => {
    const damage = v.damage === undefined ? 0 : count(h.src, v.damage, `/victims/${i}/damage`);
    if (damage <= 0) return [];
    const payload = { attacker: pref(h, thrower), victim: pref(h, p), weapon, damage };
    return [draft(h.base, 'player.damaged.player', payload, k(h, h.event, ...at(h), thrower.id, p.id))];
  });
};

export const connection: Handler = (h) => {
  const p = readPlayer(h.src, h.body.player, '/player');
  const id = k(h, h.event, p.id, p.userId ?? '-');
  if (h.event === 'player_connect') return [draft(h.base, 'player.connected', { player: pref(h, p) }, id)];
  return [draft(h.base, 'player.disconnected', { player: pref(h, p) }, id)];
};

/** Pause bodies carry no round or time: the pause number in state tells two pauses apart. */
export const pause: Handler = (h) => {
  if (h.event === 'game_paused') {
    if (!h.mm.paused) h.mm.pauses = (h.mm.pauses ?? 0) + 1;
    h.mm.paused = true;
    const team = teamIndex(h.body.team);
    const payload = compact({ reason: optStr(h.body.pause_type)?.slice(0, 128), team: team === undefined ? undefined : h.s.teams[team].id });
    return [draft(h.base, 'match.paused', payload, k(h, 'pause', h.mm.pauses ?? 1))];
  }
  h.mm.paused = false;
  return [draft(h.base, 'match.resumed', {}, k(h, 'resume', h.mm.pauses ?? 0))];
};
