// Events derived from two consecutive GSI states: kills from counters, bomb transitions, and the
// player/team snapshots emitted at round ends and on joining a match. GSI says what changed, never who
// did what to whom, so a kill is only emitted when the counters leave exactly one reading.
import type { PayloadOf, PlayerRef } from '@clutch/core';
import type { Draft } from '../types.ts';
import { compact } from '../util.ts';
import { draft, key, type DraftBase } from './common.ts';
import type { GsiPlayer, GsiSnap } from './gsi-read.ts';
import { playerRef, reportedScore, teamRef, type MatchMem, type PlayerMem } from './gsi-state.ts';

interface Delta {
  p: GsiPlayer;
  dk: number;
  dd: number;
  da: number;
  /** Headshot kills added this payload (same round only), when known. */
  dh?: number;
}

function deltas(snap: GsiSnap, prev: Record<string, PlayerMem>): Delta[] {
  const out: Delta[] = [];
  for (const p of snap.players) {
    const old = prev[p.id];
    if (!old) continue;
    const d = (now: number | undefined, then: number | undefined) => (now === undefined || then === undefined ? 0 : now - then);
    const delta: Delta = { p, dk: d(p.kills, old.k), dd: d(p.deaths, old.d), da: d(p.assists, old.a) };
    // round_killhs resets each round: only a same-round difference counts.
    if (p.roundKillHs !== undefined && old.rh !== undefined && (p.roundKills ?? 0) >= (old.rk ?? 0) && p.roundKillHs >= old.rh) delta.dh = p.roundKillHs - old.rh;
    out.push(delta);
  }
  return out;
}

/**
 * Kills the counters prove: one killer whose kills grew by exactly the number of enemies whose deaths
 * grew by one. Anything else (two killers, team kills, suicides, world deaths) is reported as
 * player.state changes: the counts are facts, the pairing would be a guess.
 */
export function deriveKills(base: DraftBase, m: MatchMem, snap: GsiSnap, prev: Record<string, PlayerMem>, mem: Record<string, PlayerMem>, round: number): Draft[] {
  const all = deltas(snap, prev);
  const victims = all.filter((x) => x.dd > 0);
  const killers = all.filter((x) => x.dk > 0);
  if (!victims.length && !killers.length) return [];
  const killer = killers[0];
  const provable =
    killer !== undefined &&
    killers.length === 1 &&
    victims.length > 0 &&
    !all.some((x) => x.dk < 0) &&
    killer.dk === victims.length &&
    victims.every((v) => v.dd === 1 && v.p.side !== undefined && killer.p.side !== undefined && v.p.side !== killer.p.side);
  if (!provable) {
    return all.filter((x) => x.dk !== 0 || x.dd !== 0 || x.da !== 0).map((x) => stateDraft(base, m, x.p, mem, key('pc', round, x.p.id, x.p.kills ?? '-', x.p.deaths ?? '-', x.p.assists ?? '-')));
  }
  const n = victims.length;
  const headshot = killer.dh === undefined ? undefined : killer.dh === n ? true : killer.dh === 0 ? false : undefined;
  const assisters =
    n === 1 ? all.filter((x) => x.da > 0 && x !== killer && x.p.side === killer.p.side).map((x) => playerRef(m, x.p, mem[x.p.id])) : [];
  return victims.map((v) => {
    const payload: PayloadOf<'player.killed.player'> = compact({
      killer: playerRef(m, killer.p, mem[killer.p.id]),
      victim: playerRef(m, v.p, mem[v.p.id]),
      assisters: assisters.length ? assisters.slice(0, 9) : undefined,
      headshot,
      killerPosition: killer.p.pos,
      victimPosition: v.p.pos,
      // Derived from counters: the weapon in the killer's hand afterwards is a hint, not the kill weapon.
      extra: compact({ derivedFrom: 'gsi-counters', killerActiveWeapon: killer.p.weapon }),
    });
    return draft(base, 'player.killed.player', payload, key('kill', v.p.id, v.p.deaths ?? '-'));
  });
}

/** round.bomb (or the spectator's bomb.state): planted / defused / exploded, once per round. */
export function bombPhase(snap: GsiSnap): string | undefined {
  if (snap.roundBomb) return snap.roundBomb;
  return snap.bombState === 'planted' || snap.bombState === 'defused' || snap.bombState === 'exploded' ? snap.bombState : undefined;
}

export interface BombMem {
  bombPhase?: string;
  bombState?: string;
  bombPlayer?: string;
}

export function deriveBomb(base: DraftBase, m: MatchMem, snap: GsiSnap, prev: BombMem, mem: Record<string, PlayerMem>, round: number): Draft[] {
  const now = bombPhase(snap);
  if (!now || now === prev.bombPhase) return [];
  const who = (id: string | undefined): PlayerRef | undefined => {
    if (!id) return undefined;
    const p = snap.players.find((x) => x.id === id);
    return playerRef(m, p ?? { id, name: mem[id]?.name ?? id }, mem[id]);
  };
  const out: Draft[] = [];
  // The carrier is the only one who can plant; the last player seen defusing is the defuser.
  const planter = prev.bombState === 'planting' || prev.bombState === 'carried' ? who(prev.bombPlayer) : undefined;
  if (prev.bombPhase !== 'planted') {
    // exploded/defused without a planted state in between: the plant happened all the same.
    out.push(draft(base, 'bomb.planted', compact({ player: planter }), key('bomb.planted', round)));
  }
  if (now === 'defused') {
    const defuser = prev.bombState === 'defusing' ? who(prev.bombPlayer) : snap.bombState === 'defusing' ? who(snap.bombPlayer) : undefined;
    out.push(draft(base, 'bomb.defused', compact({ player: defuser }), key('bomb.defused', round)));
  } else if (now === 'exploded') {
    out.push(draft(base, 'bomb.exploded', {}, key('bomb.exploded', round)));
  }
  return out;
}

export function stateDraft(base: DraftBase, m: MatchMem, p: GsiPlayer, mem: Record<string, PlayerMem>, k: string): Draft {
  const stats = compact({
    kills: p.kills,
    deaths: p.deaths,
    assists: p.assists,
    mvps: p.mvps,
    score: p.score,
    health: p.health,
    armor: p.armor,
    alive: p.health === undefined ? undefined : p.health > 0,
    money: p.money,
    equipmentValue: p.equip,
  });
  return draft(base, 'player.state', compact({ player: playerRef(m, p, mem[p.id]), stats, position: p.pos }), k);
}

/** player.state for everyone present and team.state for both teams (round ends, joins). */
export function snapshot(base: DraftBase, m: MatchMem, snap: GsiSnap, mem: Record<string, PlayerMem>, prefix: string, score?: [number, number]): Draft[] {
  const out = snap.players.map((p) => stateDraft(base, m, p, mem, key(prefix, 'p', p.id)));
  const reported = score ?? reportedScore(m, snap);
  // Sums are only meaningful when every player is visible (spectator/GOTV allplayers).
  const full = snap.players.length > 1;
  for (const i of [0, 1] as const) {
    const side = i === m.ctIndex ? 'ct' : 't';
    const members = snap.players.filter((p) => p.side === side);
    const sum = (f: (p: GsiPlayer) => number | undefined) => (full ? members.reduce((acc, p) => acc + (f(p) ?? 0), 0) : undefined);
    const stats = compact({
      score: reported[i],
      money: sum((p) => p.money),
      equipmentValue: sum((p) => p.equip),
      alive: full ? members.filter((p) => (p.health ?? 0) > 0).length : undefined,
      timeoutsRemaining: (side === 'ct' ? snap.ct : snap.t)?.timeouts,
    });
    out.push(draft(base, 'team.state', { team: teamRef(m, i), stats }, key(prefix, 't', m.teams[i].id)));
  }
  return out;
}
