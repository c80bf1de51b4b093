// Builds drafts for the Dota 2 adapters: one place that sets title, match id, time and key.
import type { EventType, PayloadOf } from '@clutch/core';
import type { Draft } from '../types.ts';

export interface When {
  occurredAt: string;
  gameTime?: number;
}

export interface Target {
  matchId: string;
  seriesId?: string;
  tournamentId?: string;
}

export function makeDraft<T extends EventType>(target: Target, type: T, payload: PayloadOf<T>, when: When, key: string): Draft {
  const d: Record<string, unknown> = { type, payload, title: 'dota2', matchId: target.matchId, occurredAt: when.occurredAt, key: key.slice(0, 200) };
  if (target.seriesId !== undefined) d.seriesId = target.seriesId;
  if (target.tournamentId !== undefined) d.tournamentId = target.tournamentId;
  if (when.gameTime !== undefined && Number.isFinite(when.gameTime) && when.gameTime >= 0) d.gameTime = Math.round(when.gameTime);
  return d as Draft;
}

/** "20260124181503" from an ISO time: the start-time part of match ids for sources without one. */
export function compactTime(iso: string): string {
  return iso.replace(/[-:T]/g, '').slice(0, 14);
}
