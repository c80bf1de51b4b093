// What the match page shows, derived from the live messages: pure functions over the stats view
// (sdk/core MatchStatsView) so they are easy to reason about and to test.
import type { MatchStatsView, PlayerStatsView, TeamStatsView } from '@clutch/core';
import type { LiveMessage } from '@clutch/sdk';

export type { MatchStatsView, PlayerStatsView, TeamStatsView };
export type Title = MatchStatsView['title'];

export const TITLES: ReadonlyArray<{ id: Title; name: string }> = [
  { id: 'cs2', name: 'Counter-Strike 2' },
  { id: 'lol', name: 'League of Legends' },
  { id: 'valorant', name: 'Valorant' },
  { id: 'dota2', name: 'Dota 2' },
];
export const titleName = (t: string) => TITLES.find((x) => x.id === t)?.name ?? t.toUpperCase();
export const isShooter = (t: string) => t === 'cs2' || t === 'valorant';

/** Plugin values by `name@version`, then by `kind:id:stat` (the latest value wins). */
export type PluginValues = Record<string, Record<string, { stat: string; kind: 'player' | 'team' | 'match'; id: string; value: number | boolean | string }>>;

/** A snapshot's plugin values replace what was known; a delta's are merged in. */
export function mergePlugins(prev: PluginValues, m: LiveMessage): PluginValues {
  if (!m.plugins) return m.type === 'snapshot' ? {} : prev;
  const next: PluginValues = m.type === 'snapshot' ? {} : { ...prev };
  for (const [plugin, { values }] of Object.entries(m.plugins)) {
    const byKey = { ...(next[plugin] ?? {}) };
    for (const v of values) byKey[`${v.subject.kind}:${v.subject.id}:${v.stat}`] = { stat: v.stat, kind: v.subject.kind, id: v.subject.id, value: v.value };
    next[plugin] = byKey;
  }
  return next;
}

/** Player-level plugin columns: one per (plugin, stat), labelled `stat (name@version)`. */
export function pluginColumns(p: PluginValues): Array<{ plugin: string; stat: string; label: string }> {
  const cols = new Map<string, { plugin: string; stat: string; label: string }>();
  for (const [plugin, values] of Object.entries(p))
    for (const v of Object.values(values)) if (v.kind === 'player') cols.set(`${plugin}\u0000${v.stat}`, { plugin, stat: v.stat, label: `${v.stat} (${plugin})` });
  return [...cols.values()].sort((a, b) => a.label.localeCompare(b.label));
}

// ---- charts ---------------------------------------------------------------------------------------

export interface ChartSpec {
  /** Stable id of the chart kind (a new uPlot is made only when it changes). */
  kind: string;
  title: string;
  description: string;
  xLabel: string;
  yLabel: string;
  /** x is shown as minutes:seconds (MOBA game clock) or as round numbers. */
  xUnit: 'minutes' | 'round' | 'seq' | 'date';
  /** A fixed x range (otherwise automatic). */
  xRange?: [number, number];
  /** A fixed y range (otherwise automatic). */
  yRange?: [number, number];
  series: Array<{ label: string; color: string; bars?: boolean }>;
  /** [xs, ...ys], as uPlot wants it. */
  data: number[][];
}

/** A game-clock series (MOBAs): one point per stats message that moved the clock. */
export interface TimeSeries {
  xs: number[];
  ys: number[];
}

/** The value the MOBA chart follows: LoL gold difference, Dota 2 net-worth advantage (team 1 − team 2). */
export function advantage(v: MatchStatsView): number | undefined {
  const [a, b] = v.teams;
  if (!a || !b) return undefined;
  if (v.title === 'dota2') {
    if (a.netWorth !== undefined && b.netWorth !== undefined) return a.netWorth - b.netWorth;
    return a.gold !== undefined && b.gold !== undefined ? a.gold - b.gold : undefined;
  }
  return a.goldDiff ?? (a.gold !== undefined && b.gold !== undefined ? a.gold - b.gold : undefined);
}

/** Adds the view's point (game minute, advantage) to a time series; points never go back in time. */
export function extendSeries(s: TimeSeries, v: MatchStatsView): TimeSeries {
  const y = advantage(v);
  if (y === undefined) return s;
  const x = v.durationMs / 60_000;
  const last = s.xs.length - 1;
  if (last >= 0 && x < s.xs[last]!) return s;
  if (last >= 0 && x === s.xs[last]) {
    if (s.ys[last] === y) return s;
    return { xs: s.xs, ys: [...s.ys.slice(0, last), y] };
  }
  return { xs: [...s.xs, x], ys: [...s.ys, y] };
}

/** Minute windows (GET /v1/matches/{id}/windows?win=minute) as the start of the MOBA series. */
export function seriesFromWindows(rows: ReadonlyArray<{ idx: number; subjectKind: string; subjectId: string; values: Record<string, number> }>, teams: readonly string[]): TimeSeries {
  const [a, b] = teams;
  const byMinute = new Map<number, Record<string, number>>();
  for (const r of rows) {
    if (r.subjectKind !== 'team' || r.values['gold'] === undefined) continue;
    (byMinute.get(r.idx) ?? byMinute.set(r.idx, {}).get(r.idx)!)[r.subjectId] = r.values['gold'];
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (const idx of [...byMinute.keys()].sort((x, y) => x - y)) {
    const g = byMinute.get(idx)!;
    if (a === undefined || b === undefined || g[a] === undefined || g[b] === undefined) continue;
    xs.push(idx + 1);
    ys.push(g[a] - g[b]);
  }
  return { xs, ys };
}

/** Joins the history (windows) and the live points: history only before the first live point. */
export function joinSeries(history: TimeSeries, live: TimeSeries): TimeSeries {
  const first = live.xs[0] ?? Infinity;
  const keep = history.xs.findIndex((x) => x >= first);
  const n = keep < 0 ? history.xs.length : keep;
  return { xs: [...history.xs.slice(0, n), ...live.xs], ys: [...history.ys.slice(0, n), ...live.ys] };
}

const COLORS = ['#5aa9ff', '#ff9f43', '#7bd88f', '#e377c2'];

/** The chart for the match's title, or undefined when the stats have no data for one yet. */
export function chartFor(v: MatchStatsView, moba: TimeSeries): ChartSpec | undefined {
  const [a, b] = v.teams;
  if (!a || !b) return undefined;
  if (isShooter(v.title)) {
    const rounds = v.rounds ?? [];
    if (!rounds.length) return undefined;
    const xs = rounds.map((r) => r.round);
    const series: ChartSpec['series'] = [
      { label: `${a.name} rounds`, color: COLORS[0]! },
      { label: `${b.name} rounds`, color: COLORS[1]! },
    ];
    const data = [xs, rounds.map((r) => r.score[0]), rounds.map((r) => r.score[1])];
    const economy = rounds.some((r) => r.spend && (r.spend[0] > 0 || r.spend[1] > 0));
    if (economy) {
      series.push({ label: `${a.name} spend ($)`, color: COLORS[2]!, bars: true }, { label: `${b.name} spend ($)`, color: COLORS[3]!, bars: true });
      data.push(rounds.map((r) => r.spend?.[0] ?? 0), rounds.map((r) => r.spend?.[1] ?? 0));
    }
    return {
      kind: `rounds:${economy ? 'economy' : 'score'}`,
      title: economy ? 'Round history and team economy' : 'Round history',
      description: `Rounds won after each round${economy ? ', and money each team spent per round' : ''}. ${rounds.length} round${rounds.length === 1 ? '' : 's'} played; ${a.name} ${a.score} – ${b.score} ${b.name}.`,
      xLabel: 'Round',
      yLabel: 'Rounds won',
      xUnit: 'round',
      series,
      data,
    };
  }
  if (!moba.xs.length) return undefined;
  const what = v.title === 'dota2' ? 'Net-worth advantage' : 'Gold difference';
  const last = moba.ys.at(-1)!;
  const leader = last > 0 ? a.name : last < 0 ? b.name : undefined;
  return {
    kind: `moba:${v.title}`,
    title: what,
    description: `${what} (${a.name} − ${b.name}) over game time: latest ${leader ? `${Math.abs(last).toLocaleString('en')} for ${leader}` : 'even'} at ${clock(moba.xs.at(-1)! * 60_000)}.`,
    xLabel: 'Game time (min)',
    yLabel: `${a.name} − ${b.name}`,
    xUnit: 'minutes',
    series: [{ label: what, color: COLORS[0]! }],
    data: [moba.xs, moba.ys],
  };
}

export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// ---- kill feed ------------------------------------------------------------------------------------

export interface KillEntry {
  seq: number;
  gameTime?: number;
  killer?: string;
  killerTeam?: string;
  victim: string;
  victimTeam?: string;
  weapon?: string;
  headshot?: boolean;
}

type Ref = { name?: string; team?: string } | undefined;

/** A `player.killed.player` event (GET /v1/matches/{id}/events) as a kill-feed line. */
export function killEntry(e: Record<string, unknown>): KillEntry | undefined {
  if (e['type'] !== 'player.killed.player' || typeof e['seq'] !== 'number') return undefined;
  const p = (e['payload'] ?? {}) as { killer?: Ref; victim?: Ref; weapon?: string; headshot?: boolean };
  const k: KillEntry = { seq: e['seq'], victim: p.victim?.name ?? '?' };
  if (typeof e['gameTime'] === 'number') k.gameTime = e['gameTime'];
  if (p.killer?.name) k.killer = p.killer.name;
  if (p.killer?.team) k.killerTeam = p.killer.team;
  if (p.victim?.team) k.victimTeam = p.victim.team;
  if (p.weapon) k.weapon = p.weapon;
  if (p.headshot) k.headshot = true;
  return k;
}

// ---- win probability (docs/predictions.md) --------------------------------------------------------

/** A win-probability prediction (the live stream's `predictions`, GET /v1/matches/{id}/predictions). */
export type LivePrediction = NonNullable<LiveMessage['prediction']>;

/** Adds predictions to a list kept in seq order, each seq once (a later copy of a seq replaces it). */
export function mergePredictions(prev: readonly LivePrediction[], more: readonly LivePrediction[]): LivePrediction[] {
  if (!more.length) return prev as LivePrediction[];
  const bySeq = new Map(prev.map((p) => [`${p.kind}:${p.seq}`, p]));
  for (const p of more) bySeq.set(`${p.kind}:${p.seq}`, p);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq || (a.kind === b.kind ? 0 : a.kind === 'draft' ? -1 : 1));
}

/** The last prediction whose event moved the win probability (|WPA| > 0). */
export function lastSwing(preds: readonly LivePrediction[]): LivePrediction | undefined {
  for (let i = preds.length - 1; i >= 0; i--) if (preds[i]!.event && preds[i]!.event!.wpa !== 0) return preds[i];
  return undefined;
}

export const percent = (p: number, digits = 0) => `${(p * 100).toFixed(digits)}%`;

/** "player.killed.player" → "player killed player". */
export const eventLabel = (type: string) => type.replace(/\./g, ' ');

/** Each team's match win probability (in %) by seq: one point per prediction. */
export function winProbabilityChart(preds: readonly LivePrediction[]): ChartSpec | undefined {
  const last = preds.at(-1);
  if (!last || last.teams.length < 2) return undefined;
  const [a, b] = last.teams as [LivePrediction['teams'][0], LivePrediction['teams'][0]];
  const xs = preds.map((p) => p.seq);
  const pa = preds.map((p) => Math.round((p.teams.find((t) => t.id === a.id)?.probability ?? 0.5) * 1000) / 10);
  const pb = preds.map((p) => Math.round((p.teams.find((t) => t.id === b.id)?.probability ?? 0.5) * 1000) / 10);
  return {
    kind: 'win-probability',
    title: 'Win probability',
    description: `Each team's probability of winning the match after each event (${preds.length} prediction${preds.length === 1 ? '' : 's'}). Latest, at seq ${last.seq} (${clock(last.gameTimeMs)}): ${a.name} ${percent(a.probability)}, ${b.name} ${percent(b.probability)}.`,
    xLabel: 'Event (seq)',
    yLabel: 'Win probability (%)',
    xUnit: 'seq',
    yRange: [0, 100],
    series: [
      { label: `${a.name} (%)`, color: COLORS[0]! },
      { label: `${b.name} (%)`, color: COLORS[1]! },
    ],
    data: [xs, pa, pb],
  };
}
