// What a webhook subscription can ask for, and how events and stat deltas become deliveries (pure:
// the router and the API share it). docs/webhooks.md describes it for users.
import { createHash } from 'node:crypto';
import type { Envelope, MatchStatsView, Title } from '@clutch/core';

/** Event types a subscription lists (stat thresholds are given apart, as `thresholds`). */
export const WEBHOOK_EVENTS = ['match.started', 'match.ended', 'round.ended', 'series.live'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];
/** Every `type` a delivery can have (Clutch-Event header). */
export type DeliveryType = WebhookEventType | 'stat.threshold' | 'ping';

/** Numeric stats a threshold may watch, per subject (fields of GET /v1/matches/{id}/stats). */
export const PLAYER_STATS = [
  'kills', 'deaths', 'assists', 'kda', 'headshots', 'damage', 'adr', 'kast', 'hsPercent', 'rating', 'acs', 'openingKills', 'tradeKills',
  'k2', 'k3', 'k4', 'k5', 'clutchesWon', 'utilityDamage', 'flashAssists', 'enemiesFlashed', 'plants', 'defuses', 'mvps', 'money', 'spent',
  'combatScore', 'combatPoints', 'creepScore', 'lastHits', 'denies', 'gold', 'totalGold', 'netWorth', 'xp', 'level', 'damageToChampions',
  'wardsPlaced', 'wardsKilled', 'visionScore', 'csPerMin', 'gpm', 'xpm', 'dpm', 'damageShare', 'killParticipation',
] as const;
export const TEAM_STATS = ['score', 'kills', 'deaths', 'assists', 'gold', 'xp', 'netWorth', 'goldDiff', 'xpDiff', 'money'] as const;
/** Thresholds fire when a value rises to (>=) or past (>) the limit: the first time Clutch sees it hold. */
export const THRESHOLD_OPS = ['>=', '>'] as const;

export interface Threshold {
  stat: string;
  subject: 'player' | 'team';
  op: (typeof THRESHOLD_OPS)[number];
  value: number;
  /** Only matches of this title. */
  title?: Title;
}

export interface Filters {
  titles?: Title[];
  tournaments?: string[];
  matches?: string[];
}

/** A subscription as the router needs it. */
export interface RouteSubscription {
  tenant: string;
  id: string;
  events: readonly string[];
  thresholds: readonly Threshold[];
  filters: Filters;
  /** Only records appended to the log at or after this time are for it (ms). */
  createdAtMs: number;
}

/** A delivery to write (the outbox row, before it has an id). */
export interface NewDelivery {
  tenant: string;
  subscriptionId: string;
  dedupeKey: string;
  type: DeliveryType;
  matchId: string | null;
  seq: number;
  data: Record<string, unknown>;
}

/** Problems with thresholds (unknown stat for its subject), as error details. */
export function thresholdProblems(thresholds: readonly Threshold[]): Array<{ in: string; path: string; message: string }> {
  const out: Array<{ in: string; path: string; message: string }> = [];
  thresholds.forEach((t, i) => {
    const allowed: readonly string[] = t.subject === 'player' ? PLAYER_STATS : TEAM_STATS;
    if (!allowed.includes(t.stat)) out.push({ in: 'body', path: `/thresholds/${i}/stat`, message: `unknown ${t.subject} stat "${t.stat}"; one of ${allowed.join(', ')}` });
  });
  return out;
}

/** A stable id of a threshold's definition: the same definition fires once per subject per match, a changed one is new. */
export function thresholdKey(t: Threshold): string {
  return createHash('sha256').update(JSON.stringify([t.subject, t.stat, t.op, t.value, t.title ?? null])).digest('hex').slice(0, 16);
}

export function passesFilters(f: Filters, e: { title: string; tournamentId?: string | undefined; matchId: string }): boolean {
  if (f.titles?.length && !(f.titles as readonly string[]).includes(e.title)) return false;
  if (f.tournaments?.length && !(e.tournamentId && f.tournaments.includes(e.tournamentId))) return false;
  if (f.matches?.length && !f.matches.includes(e.matchId)) return false;
  return true;
}

const eventData = (e: Envelope) => ({
  matchId: e.matchId,
  title: e.title,
  ...(e.seriesId ? { seriesId: e.seriesId } : {}),
  ...(e.tournamentId ? { tournamentId: e.tournamentId } : {}),
  seq: e.seq,
  eventId: e.id,
  occurredAt: e.occurredAt,
  payload: e.payload,
});

/**
 * The deliveries a canonical event makes for the subscriptions of its tenant. `series.live` fires
 * once per series: on `series.started`, or on the first `match.started` that names a series
 * (whichever comes first; both have the same dedupe key).
 */
export function deliveriesForEvent(e: Envelope, appendedAtMs: number, subs: readonly RouteSubscription[]): NewDelivery[] {
  const out: NewDelivery[] = [];
  for (const s of subs) {
    if (s.tenant !== e.tenant || appendedAtMs < s.createdAtMs || !passesFilters(s.filters, e)) continue;
    if ((e.type === 'match.started' || e.type === 'match.ended' || e.type === 'round.ended') && s.events.includes(e.type)) {
      out.push({ tenant: s.tenant, subscriptionId: s.id, dedupeKey: `event:${e.matchId}:${e.seq}`, type: e.type, matchId: e.matchId, seq: e.seq, data: eventData(e) });
    }
    if (e.seriesId && s.events.includes('series.live') && (e.type === 'series.started' || e.type === 'match.started')) {
      const p = e.payload as { teams?: unknown; bestOf?: unknown };
      out.push({
        tenant: s.tenant,
        subscriptionId: s.id,
        dedupeKey: `series:${e.seriesId}`,
        type: 'series.live',
        matchId: e.matchId,
        seq: e.seq,
        data: { seriesId: e.seriesId, title: e.title, ...(e.tournamentId ? { tournamentId: e.tournamentId } : {}), matchId: e.matchId, seq: e.seq, occurredAt: e.occurredAt, trigger: e.type, ...(p.teams ? { teams: p.teams } : {}), ...(p.bestOf ? { bestOf: p.bestOf } : {}) },
      });
    }
  }
  return out;
}

/** A stat delta of clutch.stats.v1, in the fields thresholds read. */
export interface StatsDeltaLike {
  tenant: string;
  matchId: string;
  title: string;
  tournamentId?: string;
  seq: number;
  occurredAt: string;
  stats: Pick<MatchStatsView, 'players' | 'teams'>;
}

const compare = (op: Threshold['op'], v: number, limit: number) => (op === '>=' ? v >= limit : v > limit);

/** The thresholds a stat delta crosses: one delivery per (threshold, match, subject); the dedupe key makes it fire once. */
export function deliveriesForDelta(d: StatsDeltaLike, appendedAtMs: number, subs: readonly RouteSubscription[]): NewDelivery[] {
  const out: NewDelivery[] = [];
  for (const s of subs) {
    if (s.tenant !== d.tenant || !s.thresholds.length || appendedAtMs < s.createdAtMs || !passesFilters(s.filters, d)) continue;
    for (const t of s.thresholds) {
      if (t.title && t.title !== d.title) continue;
      const subjects: Array<{ id: string; name: string; team?: string } & Record<string, unknown>> = t.subject === 'player' ? (d.stats.players as never) : (d.stats.teams as never);
      for (const subj of subjects ?? []) {
        const v = subj[t.stat];
        if (typeof v !== 'number' || !Number.isFinite(v) || !compare(t.op, v, t.value)) continue;
        out.push({
          tenant: s.tenant,
          subscriptionId: s.id,
          dedupeKey: `threshold:${thresholdKey(t)}:${d.matchId}:${t.subject}:${subj.id}`,
          type: 'stat.threshold',
          matchId: d.matchId,
          seq: d.seq,
          data: {
            matchId: d.matchId,
            title: d.title,
            ...(d.tournamentId ? { tournamentId: d.tournamentId } : {}),
            seq: d.seq,
            occurredAt: d.occurredAt,
            threshold: t,
            subject: { kind: t.subject, id: subj.id, name: subj.name, ...(subj.team ? { team: subj.team } : {}) },
            value: v,
          },
        });
      }
    }
  }
  return out;
}
