// Reads the LoL fixtures we wrote (server/test/fixtures/lol-*), and small helpers for the LoL tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventType, PayloadOf } from '@clutch/core';
import type { Draft } from '../../../src/ingest/adapters/types.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export function fixture(source: 'lol-match' | 'lol-live-client' | 'lol-livestats', name: string): Buffer {
  return readFileSync(`${FIXTURES}${source}/${name}`);
}

export function fixtureJson<T = Record<string, unknown>>(source: 'lol-match' | 'lol-live-client' | 'lol-livestats', name: string): T {
  return JSON.parse(fixture(source, name).toString('utf8')) as T;
}

/** The drafts of one type, with their payloads typed. */
export function ofType<T extends EventType>(drafts: Draft[], type: T): (Draft & { payload: PayloadOf<T> })[] {
  return drafts.filter((d) => d.type === type) as (Draft & { payload: PayloadOf<T> })[];
}
