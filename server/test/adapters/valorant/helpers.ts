// Typed views of drafts for assertions.
import type { EventType, PayloadOf } from '@clutch/core';
import type { Draft } from '../../../src/ingest/adapters/types.ts';

/** Payloads of the drafts of one type, in order. */
export function payloads<T extends EventType>(drafts: Draft[], type: T): PayloadOf<T>[] {
  return drafts.filter((d) => d.type === type).map((d) => d.payload as PayloadOf<T>);
}

/** Drafts of one type, in order, with their payload typed. */
export function draftsOf<T extends EventType>(drafts: Draft[], type: T): (Draft & { payload: PayloadOf<T> })[] {
  return drafts.filter((d) => d.type === type) as (Draft & { payload: PayloadOf<T> })[];
}
