// Helpers the title engines share: player and team accumulators, event time.
import type { Envelope, PlayerRef, TypedEvent } from '../events.ts';
import type { Title } from '../titles.ts';
import type { PlayerAcc, StatsState, TeamAcc } from './model.ts';

export const isShooter = (t: Title) => t === 'cs2' || t === 'valorant';

/** The player's accumulator, created on first sight; name, team and character follow the latest event. */
export function player(s: StatsState, ref: PlayerRef): PlayerAcc {
  let p = s.players[ref.id];
  if (!p) {
    p = { id: ref.id, name: ref.name, kills: 0, deaths: 0, assists: 0 };
    s.players[ref.id] = p;
    s.order.push(ref.id);
    const role = s.roles?.[ref.id];
    if (role !== undefined) p.role = role;
  } else if (ref.name && p.name !== ref.name) p.name = ref.name;
  if (ref.team !== undefined) p.team = ref.team;
  if (ref.character !== undefined) p.character = ref.character;
  return p;
}

export function team(s: StatsState, id: string, name?: string): TeamAcc {
  let t = s.teams.find((x) => x.id === id);
  if (!t) {
    t = { id, name: name ?? id, score: 0, kills: 0, objectives: {} };
    s.teams.push(t);
  }
  return t;
}

export const teamIndex = (s: StatsState, id: string | undefined) => (id === undefined ? -1 : s.teams.findIndex((t) => t.id === id));

/** Milliseconds for ordering within a match: the game clock when the source has one, else wall time. */
export function eventMs(s: StatsState, e: Envelope): number {
  if (e.gameTime !== undefined) return e.gameTime;
  const wall = Date.parse(e.occurredAt);
  s.startedAtMs ??= wall;
  return wall - s.startedAtMs;
}


/** A team snapshot (sources that report totals): kept as reported values, used where no event counts them. */
export function reportTeamState(s: StatsState, e: TypedEvent<'team.state'>): void {
  const t = team(s, e.payload.team.id, e.payload.team.name);
  const rep: Record<string, number> = (t.reported ??= {});
  for (const [k, v] of Object.entries(e.payload.stats)) if (typeof v === 'number') rep[k] = v;
}
