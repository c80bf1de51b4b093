// REST history with @clutch/sdk: the latest finished CS2 matches, one match's state after round 10,
// and its raw events page by page. Run against `npm run demo`:
//   node sdk/examples/history.ts            (CLUTCH_URL defaults to http://localhost:8080)
import { createClutchClient, paginate, unwrap } from '@clutch/sdk';

const client = createClutchClient({ baseUrl: process.env.CLUTCH_URL ?? 'http://localhost:8080', ...(process.env.CLUTCH_TOKEN ? { token: process.env.CLUTCH_TOKEN } : {}) });

const { data: latest } = await unwrap(client.GET('/v1/matches', { params: { query: { limit: 5 } } }));
for (const m of latest) console.log(`${m.id}  ${m.title}  ${m.status}  ${m.teams.map((t) => `${t.name} ${t.score}`).join(' – ')}`);

const first = latest[0];
if (first) {
  // Every event of the match, 500 at a time (a backfill).
  let events = 0;
  for (let after = 0; ; ) {
    const page = await unwrap(client.GET('/v1/matches/{id}/events', { params: { path: { id: first.id }, query: { afterSeq: after, limit: 500 } } }));
    events += page.data.length;
    if (page.next === null) break;
    after = page.next;
  }
  console.log(`${first.id}: ${events} events archived`);
  const half = Math.max(1, Math.floor(first.lastSeq / 2));
  const state = await unwrap(client.GET('/v1/matches/{id}/state', { params: { path: { id: first.id }, query: { seq: half } } })).catch((e: Error) => e);
  console.log(state instanceof Error ? `state: ${state.message}` : `at seq ${state.seq}: ${state.match.teams.map((t) => `${t.name} ${t.score}`).join(' – ')}`);
}

// Every player, page after page (the cursor is handled for you).
let players = 0;
for await (const p of paginate((cursor) => client.GET('/v1/players', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))) if (p.id) players++;
console.log(`${players} players`);
