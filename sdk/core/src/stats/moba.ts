// MOBAs (LoL, Dota 2): K/D/A from kill events, farm, gold, xp, damage and vision from the player
// snapshots sources send (timeline frames, GSI, livestats), objectives from objective events, and
// the values at 10 and 15 minutes for lane and team gold differences.
import type { TypedEvent } from '../events.ts';
import { player, reportTeamState, team, teamIndex } from './common.ts';
import type { StatsState } from './model.ts';

const AT = [
  [10, 600_000],
  [15, 900_000],
] as const;
/** A snapshot counts as "at 10 minutes" if it is within a minute after the mark. */
const MARK_TOLERANCE_MS = 60_000;

export function applyMoba(s: StatsState, e: TypedEvent): void {
  switch (e.type) {
    case 'player.killed.player': {
      s.seen['kill'] = true;
      const p = e.payload;
      const victim = player(s, p.victim);
      victim.deaths++;
      const killer = p.killer ? player(s, p.killer) : undefined;
      // A kill counts for a player of the other team; denies, suicides and world kills are deaths only.
      if (!killer || killer.id === victim.id || (killer.team !== undefined && killer.team === victim.team)) break;
      killer.kills++;
      const ti = teamIndex(s, killer.team);
      if (ti >= 0) s.teams[ti]!.kills++;
      for (const a of p.assisters ?? []) {
        const ap = player(s, a);
        if (ap.id !== killer.id && ap.team === killer.team) ap.assists++;
      }
      break;
    }
    case 'player.state': {
      const p = player(s, e.payload.player);
      const st = e.payload.stats;
      p.rep = { kills: st.kills ?? 0, deaths: st.deaths ?? 0, assists: st.assists ?? 0 };
      if (st.creepScore !== undefined) p.creepScore = st.creepScore;
      if (st.lastHits !== undefined) p.lastHits = st.lastHits;
      if (st.denies !== undefined) p.denies = st.denies;
      if (st.gold !== undefined) p.gold = st.gold;
      if (st.totalGold !== undefined) p.totalGold = st.totalGold;
      if (st.netWorth !== undefined) p.netWorth = st.netWorth;
      if (st.xp !== undefined) p.xp = st.xp;
      if (st.level !== undefined) p.level = st.level;
      if (st.damageToChampions !== undefined) p.damageToChampions = st.damageToChampions;
      if (st.visionScore !== undefined) p.visionScore = st.visionScore;
      if (st.wardsPlaced !== undefined) p.rep.wardsPlaced = st.wardsPlaced;
      if (st.wardsKilled !== undefined) p.rep.wardsKilled = st.wardsKilled;
      const t = e.gameTime;
      if (t !== undefined) {
        const gold = p.totalGold ?? p.netWorth ?? p.gold;
        const cs = p.creepScore ?? p.lastHits;
        for (const [m, ms] of AT) {
          if (t < ms || t >= ms + MARK_TOLERANCE_MS || p[`goldAt${m}`] !== undefined) continue;
          if (gold !== undefined) p[`goldAt${m}`] = gold;
          if (p.xp !== undefined) p[`xpAt${m}`] = p.xp;
          if (cs !== undefined) p[`csAt${m}`] = cs;
        }
      }
      break;
    }
    case 'player.placed.ward':
      s.seen['ward'] = true;
      player(s, e.payload.player).wardsPlaced = (player(s, e.payload.player).wardsPlaced ?? 0) + 1;
      break;
    case 'player.killed.ward':
      s.seen['ward'] = true;
      player(s, e.payload.player).wardsKilled = (player(s, e.payload.player).wardsKilled ?? 0) + 1;
      break;
    case 'objective.taken': {
      s.seen['objective'] = true;
      const id = e.payload.team;
      if (id === undefined) break;
      const t = team(s, id);
      t.objectives[e.payload.objective] = (t.objectives[e.payload.objective] ?? 0) + 1;
      break;
    }
    case 'team.state':
      reportTeamState(s, e);
      break;
  }
}
