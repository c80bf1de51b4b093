// Small helpers for the CS2 adapter tests: load our own fixtures (JSON arrays of payloads) and pick
// drafts by type.
import { readFileSync } from 'node:fs';
import type { PayloadOf, EventType } from '@clutch/core';
import type { Draft } from '../../../src/ingest/adapters/types.ts';

/** A fixture file under server/test/fixtures: a JSON array, one element per POST body. */
export function fixture(rel: string): Record<string, unknown>[] {
  return JSON.parse(readFileSync(new URL(`../../fixtures/${rel}`, import.meta.url), 'utf8')) as Record<string, unknown>[];
}

export const bodies = (xs: unknown[]): string[] => xs.map((x) => JSON.stringify(x));

export function payloads<T extends EventType>(drafts: Draft[], type: T): PayloadOf<T>[] {
  return drafts.filter((d) => d.type === type).map((d) => d.payload as PayloadOf<T>);
}

/** Drafts without the per-round snapshots, as "type" strings: the story a user reads. */
export const story = (drafts: Draft[]): string[] => drafts.filter((d) => d.type !== 'player.state' && d.type !== 'team.state').map((d) => d.type);
