// Reads the CS2 server's own cumulative per-player numbers (`round_stats` JSON blocks) straight from
// a log, independently of the adapter, and compares them with our per-round stats.
import type { RoundSnapshot } from '../../src/cli/stats.ts';

export interface RoundStatsBlock {
  /** Wall time of the block (ms). */
  ms: number;
  /** The round about to start: the block holds totals after round_number − 1 rounds. */
  roundNumber: number;
  /** SteamID64 → field → value. */
  players: Map<string, Record<string, number>>;
}

const steam64 = (account: number) => (76561197960265728n + BigInt(account)).toString();

export function roundStatsBlocks(text: string): RoundStatsBlock[] {
  const out: RoundStatsBlock[] = [];
  let cur: { ms: number; lines: string[] } | undefined;
  for (const line of text.split('\n')) {
    const m = /^L (\d\d)\/(\d\d)\/(\d{4}) - (\d\d:\d\d:\d\d): (.*?)\r?$/.exec(line);
    if (!m) continue;
    const body = m[5]!;
    if (body === 'JSON_BEGIN{') cur = { ms: Date.parse(`${m[3]}-${m[1]}-${m[2]}T${m[4]}Z`), lines: [] };
    else if (body === '}}JSON_END' && cur) {
      const get = (k: string) => /"[^"]+"\s*:\s*"([^"]*)"/.exec(cur!.lines.find((l) => l.startsWith(`"${k}"`)) ?? '')?.[1];
      const fields = (get('fields') ?? '').split(',').map((f) => f.trim());
      const players = new Map<string, Record<string, number>>();
      for (const l of cur.lines) {
        const row = /^"player_\d+"\s*:\s*"([^"]*)"/.exec(l)?.[1];
        if (!row) continue;
        const vals = row.split(',').map((v) => Number(v.trim()));
        const rec = Object.fromEntries(fields.map((f, i) => [f, vals[i]!]));
        if (rec['accountid']! > 0) players.set(steam64(rec['accountid']!), rec);
      }
      if (get('name') === 'round_stats') out.push({ ms: cur.ms, roundNumber: Number(get('round_number')), players });
      cur = undefined;
    } else if (cur) cur.lines.push(body);
  }
  return out;
}

/** Our counter name for each round_stats field we compare. */
export const COMPARED = { kills: 'kills', deaths: 'deaths', assists: 'assists', dmg: 'damage' } as const;
/** Compared and reported, not required: the log's per-hit numbers cannot always reproduce them. */
export const REPORTED = { ud: 'utilityDamage', ef: 'enemiesFlashed', firstk: 'openingKills', '3k': 'k3', '4k': 'k4', '5k': 'k5', mvp: 'mvps' } as const;

export interface Comparison {
  playerRounds: number;
  /** Player-rounds where every COMPARED field matches. */
  matching: number;
  mismatches: string[];
  /** Per REPORTED field: player-rounds that match. */
  reported: Record<string, number>;
}

/** Compares every block of the live match (between its start and end, round_number ≥ 2) with our snapshot after round_number − 1 rounds. */
export function compareRoundStats(blocks: RoundStatsBlock[], perRound: RoundSnapshot[], fromMs: number, toMs: number): Comparison {
  const c: Comparison = { playerRounds: 0, matching: 0, mismatches: [], reported: Object.fromEntries(Object.keys(REPORTED).map((k) => [k, 0])) };
  for (const b of blocks) {
    if (b.ms < fromMs || b.ms > toMs || b.roundNumber < 2) continue;
    const snap = perRound[b.roundNumber - 2];
    for (const [id, row] of b.players) {
      c.playerRounds++;
      const ours = (snap?.players.find((p) => p.id === id) ?? {}) as Record<string, unknown>;
      const val = (k: string) => (typeof ours[k] === 'number' ? (ours[k] as number) : 0);
      const bad = Object.entries(COMPARED).filter(([theirs, mine]) => val(mine) !== row[theirs]);
      if (!bad.length) c.matching++;
      else c.mismatches.push(`round ${b.roundNumber - 1} ${String(ours['name'] ?? id)}: ${bad.map(([t, m]) => `${t} ${row[t]} vs ours ${val(m)}`).join(', ')}`);
      for (const [theirs, mine] of Object.entries(REPORTED)) if (val(mine) === row[theirs]) c.reported[theirs]!++;
    }
  }
  return c;
}
