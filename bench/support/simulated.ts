// The benchmarks' event source: simulated matches (server/src/ingest/scenarios.ts), titles in turn
// (lol, cs2, valorant, dota2), until N events; each match's events in seq order.
import { TITLES, uuidv7, type Envelope, type Title } from '@clutch/core';
import { script } from '../../server/src/ingest/scenarios.ts';

export function* simulated(n: number, tenant: string): Generator<Envelope> {
  const start = Date.parse('2026-11-24T12:00:00.000Z');
  let made = 0;
  for (let m = 0; made < n; m++) {
    const title: Title = TITLES[m % TITLES.length]!;
    const t0 = start + m * 1000;
    let seq = 0;
    for (const ev of script(title, 1000 + m)) {
      if (made++ >= n) return;
      const at = t0 + ev.gameTime;
      yield { id: uuidv7(at), v: 1, tenant, title, source: 'simulator', matchId: `bench-${title}-${m}`, tournamentId: `bench-cup-${m % 4}`, seq: ++seq, type: ev.type, gameTime: ev.gameTime, occurredAt: new Date(at).toISOString(), receivedAt: new Date(at + 50).toISOString(), payload: ev.payload as Record<string, unknown> };
    }
  }
}
