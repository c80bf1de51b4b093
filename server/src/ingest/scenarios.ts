// Plausible match scripts for the built-in simulator: pure generators of canonical event payloads in
// game time, one per title, driven by a seeded PRNG (same seed, same match). Fictional teams and
// players. Shooters are played round by round (first to 13, win by two in overtime); MOBAs as kills
// and objectives over 25–40 minutes, the score being kills as broadcasts show it.
import type { EventType, PayloadOf, TeamRef, Title } from '@clutch/core';
import { mulberry32 } from '@clutch/core';

export interface ScriptedEvent<T extends EventType = EventType> {
  /** Milliseconds since the start of the match (game clock). */
  gameTime: number;
  type: T;
  payload: PayloadOf<T>;
}

export type Rng = () => number;

/** The simulator's PRNG (mulberry32, @clutch/core): the same seed gives the same match. */
export function rngFrom(seed: number): Rng {
  return mulberry32(seed);
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const between = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

const TEAM_NAMES = ['Northwind', 'Ember Wolves', 'Static Void', 'Polar Owls', 'Nightjar', 'Iron Lotus', 'Solar Flare', 'Blue Harbor', 'Kite Esports', 'Granite Five'];
const HANDLES = ['ace', 'blitz', 'cipher', 'dusk', 'echo', 'flux', 'glint', 'havoc', 'ion', 'jolt', 'kestrel', 'lumen', 'mako', 'nyx', 'onyx'];

interface Player {
  id: string;
  name: string;
  team: string;
}

interface Side {
  id: string;
  name: string;
  players: Player[];
  /** Relative strength: the stronger side wins more rounds and fights. */
  strength: number;
}

export function drawTeams(rng: Rng): [Side, Side] {
  const first = between(rng, 0, TEAM_NAMES.length - 1);
  const second = (first + between(rng, 1, TEAM_NAMES.length - 1)) % TEAM_NAMES.length;
  return [first, second].map((i) => {
    const name = TEAM_NAMES[i]!;
    const id = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const handles = [...HANDLES].sort(() => rng() - 0.5).slice(0, 5);
    return { id, name, strength: 0.8 + rng() * 0.4, players: handles.map((h) => ({ id: `${id}.${h}`, name: `${name.split(' ')[0]} ${h}`, team: id })) };
  }) as [Side, Side];
}

const started = (sides: [Side, Side], map?: string, on?: [string, string]): ScriptedEvent<'match.started'> => ({
  gameTime: 0,
  type: 'match.started',
  payload: { teams: [0, 1].map((i) => ({ id: sides[i]!.id, name: sides[i]!.name, ...(on ? { side: on[i]! } : {}) })) as [TeamRef, TeamRef], ...(map ? { map } : {}), bestOf: 1 },
});

const kill = (gameTime: number, killer: Player, victim: Player, weapon?: string, headshot?: boolean): ScriptedEvent<'player.killed.player'> => ({
  gameTime,
  type: 'player.killed.player',
  payload: { killer, victim, ...(weapon ? { weapon, headshot: headshot ?? false } : {}) },
});

const SHOOTERS = {
  cs2: {
    /** Canonical side names (first: the defending side, CT); halves of 12 rounds, then overtime halves of overtimeHalf rounds. */
    sides: ['ct', 't'],
    overtimeHalf: 3,
    maps: ['de_mirage', 'de_inferno', 'de_nuke', 'de_ancient', 'de_anubis', 'de_dust2', 'de_train'],
    reasons: ['elimination', 'bomb_exploded', 'bomb_defused', 'time_ran_out'],
    economy: { start: 800, max: 16000, win: 3250, lossBase: 1400, lossStep: 500, lossMax: 3400, killReward: 300 },
    // [item, cost, kind] — kind: rifle/smg/pistol/armor/utility
    full: [['ak47', 2700], ['m4a1_silencer', 2900], ['awp', 4750]] as [string, number][],
    force: [['mp9', 1250], ['galilar', 1800], ['famas', 2050]] as [string, number][],
    eco: [['p250', 300], ['deagle', 700], ['tec9', 500]] as [string, number][],
    armor: ['vesthelm', 1000] as [string, number],
    utility: [['smokegrenade', 300], ['flashbang', 200], ['hegrenade', 300], ['molotov', 400]] as [string, number][],
  },
  valorant: {
    sides: ['defense', 'attack'],
    overtimeHalf: 1,
    maps: ['Ascent', 'Bind', 'Haven', 'Lotus', 'Sunset', 'Icebox', 'Split'],
    reasons: ['Eliminated', 'Bomb detonated', 'Bomb defused', 'Round timer expired'],
    economy: { start: 800, max: 9000, win: 3000, lossBase: 1900, lossStep: 500, lossMax: 2900, killReward: 200 },
    full: [['Vandal', 2900], ['Phantom', 2900], ['Operator', 4700]] as [string, number][],
    force: [['Spectre', 1600], ['Bulldog', 2050], ['Marshal', 950]] as [string, number][],
    eco: [['Sheriff', 800], ['Ghost', 500], ['Frenzy', 450]] as [string, number][],
    armor: ['Heavy Shields', 1000] as [string, number],
    utility: [['ability_c', 200], ['ability_q', 250], ['ability_e', 300]] as [string, number][],
  },
} as const;

/** The side the first team plays in a round (0: defending), switching at half time and every overtime half. */
function firstTeamSide(kit: Kit, round: number): 0 | 1 {
  if (round <= 24) return round <= 12 ? 0 : 1;
  return (Math.floor((round - 25) / kit.overtimeHalf) % 2 === 0 ? 1 : 0) as 0 | 1;
}

type Kit = (typeof SHOOTERS)[keyof typeof SHOOTERS];

/** One player's buy for a round, from their money: full buy, force buy or eco. Pure. */
function buy(rng: Rng, kit: Kit, money: number): { items: [string, number][]; weapon: string } {
  const items: [string, number][] = [];
  const tier = money >= 3900 ? kit.full : money >= 2000 ? kit.force : money >= 700 ? kit.eco : [];
  const weapon = tier.length ? pick(rng, tier) : undefined;
  let left = money;
  const take = (it: readonly [string, number]) => {
    if (left >= it[1]) {
      items.push([it[0], it[1]]);
      left -= it[1];
    }
  };
  if (weapon) take(weapon);
  if (tier !== kit.eco && tier.length) take(kit.armor);
  for (const u of kit.utility) if (rng() < 0.5) take(u);
  return { items, weapon: weapon?.[0] ?? (kit === SHOOTERS.cs2 ? 'glock' : 'Classic') };
}

function* shooter(title: 'cs2' | 'valorant', rng: Rng): Generator<ScriptedEvent> {
  const kit = SHOOTERS[title];
  const eco = kit.economy;
  const sides = drawTeams(rng);
  yield started(sides, pick(rng, kit.maps), [kit.sides[0], kit.sides[1]]);
  const score: [number, number] = [0, 0];
  const money = new Map<string, number>(sides.flatMap((s) => s.players.map((p) => [p.id, eco.start] as [string, number])));
  const stats = new Map<string, { kills: number; deaths: number }>(sides.flatMap((s) => s.players.map((p) => [p.id, { kills: 0, deaths: 0 }] as [string, { kills: number; deaths: number }])));
  const lossStreak = [0, 0];
  const pay = function* (t: number, p: Player, delta: number, reason: string): Generator<ScriptedEvent> {
    const before = money.get(p.id)!;
    const after = Math.min(eco.max, Math.max(0, before + delta));
    money.set(p.id, after);
    yield { gameTime: t, type: 'player.money.changed', payload: { player: p, money: after, delta: after - before, reason } };
  };
  let t = 20_000;
  for (let round = 1; ; round++) {
    yield { gameTime: t, type: 'round.started', payload: { round } };
    // Where each team plays this round: players carry it in the round's kills and purchases, as a CS2 log's do.
    const first = firstTeamSide(kit, round);
    const sideOfTeam = new Map(sides.map((s, i) => [s.id, kit.sides[i === 0 ? first : 1 - first]!]));
    const at = (p: Player) => ({ ...p, side: sideOfTeam.get(p.team)! });
    const weapons = new Map<string, string>();
    for (const side of sides) {
      for (const p of side.players) {
        const b = buy(rng, kit, money.get(p.id)!);
        weapons.set(p.id, b.weapon);
        for (const [item, cost] of b.items) {
          t += 50;
          yield { gameTime: t, type: 'player.purchased.item', payload: { player: at(p), item, cost } };
          yield* pay(t, p, -cost, 'purchase');
        }
      }
    }
    const alive = [new Set(sides[0].players), new Set(sides[1].players)];
    t += 15_000;
    while (alive[0]!.size && alive[1]!.size && rng() < 0.85) {
      t += between(rng, 3_000, 14_000);
      const p0 = sides[0].strength * alive[0]!.size;
      const killerSide = rng() < p0 / (p0 + sides[1].strength * alive[1]!.size) ? 0 : 1;
      const killer = pick(rng, [...alive[killerSide]!]);
      const victim = pick(rng, [...alive[1 - killerSide]!]);
      alive[1 - killerSide]!.delete(victim);
      stats.get(killer.id)!.kills++;
      stats.get(victim.id)!.deaths++;
      yield kill(t, at(killer), at(victim), weapons.get(killer.id), rng() < 0.45);
      yield* pay(t, killer, eco.killReward, 'kill reward');
    }
    const winner = alive[0]!.size === alive[1]!.size ? (rng() < 0.5 ? 0 : 1) : alive[0]!.size > alive[1]!.size ? 0 : 1;
    score[winner] += 1;
    t += between(rng, 2_000, 8_000);
    const reason = alive[1 - winner]!.size === 0 ? kit.reasons[0] : pick(rng, kit.reasons.slice(1));
    yield { gameTime: t, type: 'round.ended', payload: { round, winner: sides[winner].id, winnerSide: sideOfTeam.get(sides[winner].id)!, score: [...score], reason } };
    lossStreak[winner] = 0;
    lossStreak[1 - winner]! += 1;
    for (const [i, side] of sides.entries()) {
      const bonus = i === winner ? eco.win : Math.min(eco.lossMax, eco.lossBase + eco.lossStep * (lossStreak[i]! - 1));
      for (const p of side.players) yield* pay(t, p, bonus, i === winner ? 'round win' : 'round loss');
    }
    for (const side of sides) {
      for (const p of side.players) {
        const st = stats.get(p.id)!;
        yield { gameTime: t, type: 'player.state', payload: { player: p, stats: { money: money.get(p.id)!, kills: st.kills, deaths: st.deaths, alive: alive[sides.indexOf(side)]!.has(p) } } };
      }
    }
    const [a, b] = score;
    if ((a >= 13 || b >= 13) && Math.abs(a - b) >= 2) {
      yield { gameTime: t + 1000, type: 'match.ended', payload: { winner: sides[a > b ? 0 : 1].id, score: [...score] } };
      return;
    }
    t += 7_000;
  }
}

const MOBAS = {
  lol: { objectives: ['dragon', 'rift_herald', 'tower', 'baron_nashor', 'inhibitor'], late: 'baron_nashor', minutes: [25, 40] },
  dota2: { objectives: ['tower', 'roshan', 'barracks', 'tormentor', 'outpost'], late: 'roshan', minutes: [28, 45] },
} as const;

function* moba(title: 'lol' | 'dota2', rng: Rng): Generator<ScriptedEvent> {
  const kit = MOBAS[title];
  const sides = drawTeams(rng);
  yield started(sides);
  const kills: [number, number] = [0, 0];
  const gold = new Map<string, number>(sides.flatMap((s) => s.players.map((p) => [p.id, 500] as [string, number])));
  const end = between(rng, kit.minutes[0], kit.minutes[1]) * 60_000;
  let t = 90_000;
  let nextMinute = 60_000;
  const snapshot = function* (at: number): Generator<ScriptedEvent> {
    // Passive income then a snapshot: team gold is the sum of its players' gold, always.
    for (const p of gold.keys()) gold.set(p, gold.get(p)! + 120 + Math.floor(rng() * 60));
    for (const side of sides) {
      for (const p of side.players) yield { gameTime: at, type: 'player.state', payload: { player: p, stats: { gold: gold.get(p.id)! } } };
      yield { gameTime: at, type: 'team.state', payload: { team: { id: side.id, name: side.name }, stats: { gold: side.players.reduce((n, p) => n + gold.get(p.id)!, 0), kills: kills[sides.indexOf(side)] } } };
    }
  };
  // Minute snapshots due up to `at` come before anything that happens at `at`.
  const upTo = function* (at: number): Generator<ScriptedEvent> {
    for (; nextMinute <= at; nextMinute += 60_000) yield* snapshot(nextMinute);
  };
  while (t < end) {
    t += between(rng, 20_000, 110_000);
    yield* upTo(t);
    const side = rng() < sides[0].strength / (sides[0].strength + sides[1].strength) ? 0 : 1;
    if (rng() < 0.25) {
      const objective = t > 20 * 60_000 && rng() < 0.3 ? kit.late : pick(rng, kit.objectives);
      yield { gameTime: t, type: 'objective.taken', payload: { team: sides[side].id, objective } };
      continue;
    }
    // A fight: one to three kills in quick succession.
    for (let i = between(rng, 1, 3); i > 0; i--) {
      const killer = pick(rng, sides[side].players);
      const victim = pick(rng, sides[1 - side]!.players);
      kills[side] += 1;
      gold.set(killer.id, gold.get(killer.id)! + 300);
      yield* upTo(t);
      const k = kill(t, killer, victim);
      yield { ...k, payload: { ...k.payload, bounty: 300 } };
      t += between(rng, 500, 4_000);
    }
  }
  const winner = kills[0] === kills[1] ? (rng() < 0.5 ? 0 : 1) : kills[0] > kills[1] ? 0 : 1;
  yield* upTo(t + 30_000);
  yield { gameTime: t + 30_000, type: 'objective.taken', payload: { team: sides[winner].id, objective: title === 'lol' ? 'nexus' : 'ancient' } };
  yield { gameTime: t + 31_000, type: 'match.ended', payload: { winner: sides[winner].id, score: [...kills] } };
}

export function script(title: Title, seed: number): Generator<ScriptedEvent> {
  const rng = rngFrom(seed);
  return title === 'cs2' || title === 'valorant' ? shooter(title, rng) : moba(title, rng);
}
