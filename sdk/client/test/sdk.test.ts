// @clutch/sdk against a real server (embedded adapters, listening on a port): the typed REST client
// and its pagination and errors; the live client resuming through a connection that keeps being cut.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFiles } from '../../../server/src/cli/parse.ts';
import { statsOfEvents } from '../../../server/src/cli/stats.ts';
import { toRecord } from '../../../server/src/events/codec.ts';
import { topicNames } from '../../../server/src/topics.ts';
import { embeddedApp, type TestApp } from '../../../server/test/support/app.ts';
import { cs2Match } from '../../../server/test/support/events.ts';
import { startTcpProxy, type TcpProxy } from '../../../server/test/support/tcp-proxy.ts';
import { newSecret, signatureHeader } from '../../../server/src/webhooks/signing.ts';
import { createApp, createCredential } from '../../../server/src/store/apps.ts';
import { ClutchApiError, createClutchClient, LiveClient, paginate, unwrap, verifyWebhook, WebhookVerificationError, type LiveMessage } from '../src/index.ts';

const topics = topicNames('');
const fixture = (p: string) => new URL(`../../../server/test/fixtures/${p}`, import.meta.url).pathname;

async function serve(): Promise<{ t: TestApp; base: string; port: number }> {
  const t = await embeddedApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as { port: number }).port;
  return { t, base: `http://127.0.0.1:${port}`, port };
}

describe('@clutch/sdk', () => {
  let t: TestApp | undefined;
  let proxy: TcpProxy | undefined;
  const live: LiveClient[] = [];
  afterEach(async () => {
    live.forEach((l) => l.close());
    live.length = 0;
    await proxy?.close();
    await t?.dispose();
    t = undefined;
    proxy = undefined;
  });

  it('reads matches with the typed REST client: pages, path parameters and coded errors', async () => {
    const s = await serve();
    t = s.t;
    await t.infra.eventLog.append(['a', 'b', 'c'].flatMap((id) => cs2Match('demo', `sdk-${id}`)).map((e) => toRecord(topics.events, e)));
    // A real API key of the demo tenant (presented credentials are checked even where anonymous calls are allowed).
    const app = await createApp(t.infra.store.db, 'demo', 'sdk test');
    const { secret } = await createCredential(t.infra.store.db, { tenant: 'demo', appId: app.id, kind: 'api_key', scopes: ['matches:read'] });
    const client = createClutchClient({ baseUrl: s.base, token: secret });
    const refused = await createClutchClient({ baseUrl: s.base, token: 'ck_0000000000000000_wrong' }).GET('/v1/matches');
    expect([refused.response.status, refused.error?.code]).toEqual([401, 'CLUTCH_INVALID_TOKEN']);
    await expect.poll(async () => (await unwrap(client.GET('/v1/matches', { params: { query: { status: 'finished' } } }))).data.length, { timeout: 10_000 }).toBe(3);

    const ids: string[] = [];
    for await (const m of paginate((cursor) => client.GET('/v1/matches', { params: { query: { limit: 1, ...(cursor ? { cursor } : {}) } } }))) ids.push(m.id);
    expect(ids.sort()).toEqual(['sdk-a', 'sdk-b', 'sdk-c']);

    const m = await unwrap(client.GET('/v1/matches/{id}', { params: { path: { id: 'sdk-b' } } }));
    expect(m).toMatchObject({ id: 'sdk-b', title: 'cs2', status: 'finished', winner: 'navi', lastSeq: 6 });
    const state = await unwrap(client.GET('/v1/matches/{id}/state', { params: { path: { id: 'sdk-b' }, query: { seq: 3 } } }));
    expect(state.match.teams.map((x) => x.score)).toEqual([1, 0]);

    const missing = await unwrap(client.GET('/v1/matches/{id}', { params: { path: { id: 'nope' } } })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ClutchApiError);
    expect(missing).toMatchObject({ status: 404, code: 'CLUTCH_MATCH_NOT_FOUND', message: 'no match nope' });
    const bad = await unwrap(client.GET('/v1/matches', { params: { query: { limit: 0 } } })).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 'CLUTCH_BAD_REQUEST', details: [{ in: 'querystring', path: '/limit' }] });
  });

  it('verifies what the server signs, from the package entry point, and refuses a tampered body', () => {
    const secret = newSecret();
    const body = JSON.stringify({ id: 'd-1', type: 'match.ended', createdAt: new Date().toISOString(), data: { matchId: 'm' } });
    const header = signatureHeader([secret], body);
    expect(verifyWebhook({ body, signatureHeader: header, secret })).toMatchObject({ id: 'd-1', type: 'match.ended' });
    const tampered = (() => {
      try {
        verifyWebhook({ body: body.replace('m"', 'x"'), signatureHeader: header, secret });
      } catch (err) {
        return err;
      }
    })();
    expect(tampered).toBeInstanceOf(WebhookVerificationError);
    expect(tampered).toMatchObject({ code: 'CLUTCH_WEBHOOK_SIGNATURE_MISMATCH' });
  });

  it('live client: resumes through dozens of cut connections; each match once, in order, ending at the final stats (subscribe and follow)', async () => {
    const s = await serve();
    t = s.t;
    proxy = await startTcpProxy({ host: '127.0.0.1', port: s.port });
    const url = `ws://127.0.0.1:${proxy.port}/v1/live`;
    const lol = (await parseFiles('lol-match', [fixture('lol-match/match-2024.json'), fixture('lol-match/timeline-2024.json')], { tenant: 'demo', streamId: 's', receivedAt: '2026-03-14T20:00:00.000Z' })).events;
    const id = lol[0]!.matchId;
    const finalSeq = lol.at(-1)!.seq;

    const got: Record<'subscriber' | 'follower', LiveMessage[]> = { subscriber: [], follower: [] };
    const subscriber = new LiveClient({ url, onMessage: (m) => got.subscriber.push(m), minBackoffMs: 20, maxBackoffMs: 200 });
    const follower = new LiveClient({ url, onMessage: (m) => got.follower.push(m), minBackoffMs: 20, maxBackoffMs: 200 });
    live.push(subscriber, follower);
    subscriber.subscribe([id]);
    follower.follow({ titles: ['lol'] });
    await expect.poll(() => got.follower.some((m) => m.type === 'following'), { timeout: 5000 }).toBe(true);

    // The match arrives a few events at a time while the connections keep being cut.
    const feeding = (async () => {
      for (let i = 0; i < lol.length; ) {
        const n = 1 + Math.floor(Math.random() * 3);
        await t!.infra.eventLog.append(lol.slice(i, i + n).map((e) => toRecord(topics.events, e)));
        i += n;
        await sleep(10 + Math.random() * 30);
      }
    })();
    let cuts = 0;
    const cutting = (async () => {
      while (subscriber.lastSeq(id) !== finalSeq || follower.lastSeq(id) !== finalSeq || cuts < 40) {
        await sleep(20 + Math.random() * 120);
        if (Math.random() < 0.5) {
          await proxy!.cut(); // the network drops: every connection reset, new ones refused for a moment
          await sleep(Math.random() * 60);
          await proxy!.restore();
        } else (Math.random() < 0.5 ? subscriber : follower).reconnect();
        cuts++;
        if (cuts > 2000) break;
      }
    })();
    await feeding;
    await cutting;

    const [expected] = statsOfEvents(lol);
    for (const [who, messages] of Object.entries(got)) {
      const mine = messages.filter((m) => m.matchId === id && (m.type === 'delta' || m.type === 'snapshot'));
      const problems: string[] = [];
      let last: number | undefined;
      for (const m of mine) {
        if (m.type === 'snapshot' && last !== undefined) problems.push(`snapshot at ${m.seq} after ${last}`);
        if (m.type === 'delta' && last !== undefined && m.fromSeq !== last + 1) problems.push(`delta ${m.fromSeq}..${m.seq} after ${last}`);
        last = m.seq;
      }
      expect(problems, who).toEqual([]);
      expect(last, who).toBe(finalSeq);
      expect(mine.at(-1)!.stats, who).toEqual(JSON.parse(JSON.stringify(expected)));
    }
    expect(cuts).toBeGreaterThanOrEqual(40);
    expect(subscriber.stats.reconnects + follower.stats.reconnects).toBeGreaterThanOrEqual(40);
    expect(subscriber.stats.gaps + follower.stats.gaps).toBe(0);
    process.stderr.write(`[sdk live] ${cuts} cuts; subscriber ${JSON.stringify(subscriber.stats)}; follower ${JSON.stringify(follower.stats)}\n`);
  }, 120_000);
});
