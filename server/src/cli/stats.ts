// `clutch stats <source> <file...> [--per-round]`: a recorded match through the same adapters,
// sequencing and built-in stats as the live pipeline; prints the final per-player and per-team
// stats as JSON (one object per match; an array when the files hold several). --per-round prints,
// for round-based titles, the cumulative per-player stats at each round end instead.
import { applyStats, newStats, statsView, type Envelope, type MatchStatsView, type StatsState } from '@clutch/core';
import { parseFiles } from './parse.ts';

export interface RoundSnapshot {
  round: number;
  score: [number, number];
  players: Array<{ id: string; name: string; team?: string } & Record<string, unknown>>;
}

export interface MatchStatsOutput extends MatchStatsView {
  perRound?: RoundSnapshot[];
}

/** Runs canonical events through the built-in stats, match by match, in seq order. */
export function statsOfEvents(events: Envelope[], o: { perRound?: boolean } = {}): MatchStatsOutput[] {
  const states = new Map<string, StatsState>();
  for (const e of events) {
    let s = states.get(e.matchId);
    if (!s) states.set(e.matchId, (s = newStats(e.title, e.matchId)));
    applyStats(s, e);
  }
  return [...states.values()].map((s) => {
    const view: MatchStatsOutput = statsView(s);
    if (o.perRound) {
      view.perRound = s.history.map((snap, i) => ({
        round: i + 1,
        score: s.rounds[i]!.score,
        players: s.order.filter((id) => snap[id]).map((id) => ({ id, name: s.players[id]!.name, ...(s.players[id]!.team ? { team: s.players[id]!.team } : {}), ...snap[id] })),
      }));
    }
    return view;
  });
}

export async function statsCommand(source: string | undefined, files: string[], o: { tenant: string; perRound: boolean }): Promise<number> {
  if (!source || !files.length) {
    process.stderr.write('usage: clutch stats <source> <file...> [--per-round]\n');
    return 2;
  }
  const { events } = await parseFiles(source, files, { tenant: o.tenant, streamId: 'cli', receivedAt: new Date().toISOString() });
  const out = statsOfEvents(events, { perRound: o.perRound });
  process.stdout.write(`${JSON.stringify(out.length === 1 ? out[0] : out, null, 2)}\n`);
  process.stderr.write(`clutch stats: ${events.length} events, ${out.length} match(es)\n`);
  return 0;
}
