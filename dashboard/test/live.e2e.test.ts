// The dashboard end to end, in a real browser: the real server (embedded adapters) replays a recorded
// CS2 match (server/test/fixtures/cs2-log/wingman.log) event by event through the processor while
// Chromium, driven by playwright-core, shows the live matches list and the match page. The
// scoreboard and the chart must move as events arrive; the page's live WebSocket is then reset and
// held for a while (the match goes on meanwhile); the page must resume with no gap — every delta
// after the drop follows the last one before it — and end with exactly the server's final stats
// (REST), the whole kill feed, and no console error. Screenshots go to
// dashboard/test-results/screenshots/ (git-ignored).
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, MatchStatsView } from '@clutch/core';
import { ensureChromium } from '../../scripts/browser.ts';
import { ensureDashboard } from '../../scripts/dashboard.ts';
import { toRecord } from '../../server/src/events/codec.ts';
import { topicNames } from '../../server/src/topics.ts';
import { embeddedApp, type TestApp } from '../../server/test/support/app.ts';
import { eventsOf } from '../../server/test/support/replay.ts';
import { startLiveDropProxy, type LiveDropProxy } from './support/live-drop-proxy.ts';

const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** One event every EVENT_MS: the 64-event match lasts about 10 s. */
const EVENT_MS = 150;

/**
 * Appends a recorded match to the app's log one event at a time, like a game server would. It stops
 * before each index of `gates` until that gate is opened, so the test's steps happen at the same
 * point of the match however slow the machine is.
 */
function replay(t: TestApp, events: readonly Envelope[], gates: number[]) {
  const topic = topicNames('').events;
  const waiting = new Map(gates.map((i) => [i, Promise.withResolvers<void>()]));
  const state = { fed: 0, open: (i: number) => waiting.get(i)!.resolve(), done: Promise.resolve() };
  state.done = (async () => {
    for (const [i, e] of events.entries()) {
      await waiting.get(i)?.promise;
      await t.infra.eventLog.append([toRecord(topic, e)]);
      state.fed++;
      await sleep(EVENT_MS);
    }
  })();
  return state;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** What the page shows now: connection counters (data-*), scoreboard, chart, kill feed, players. */
async function pageState(page: Page) {
  return page.evaluate(() => {
    const q = (s: string) => document.querySelector<HTMLElement>(`[data-testid="${s}"]`);
    const conn = q('connection')?.dataset ?? {};
    const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
    return {
      state: conn['state'],
      seq: num(conn['seq']),
      snapshots: num(conn['snapshots']) ?? 0,
      deltas: num(conn['deltas']) ?? 0,
      reconnects: num(conn['reconnects']) ?? 0,
      gaps: num(conn['gaps']) ?? 0,
      status: q('match-status')?.dataset['status'],
      teams: [q('team-0')?.textContent, q('team-1')?.textContent],
      scores: [num(q('score-0')?.textContent ?? undefined), num(q('score-1')?.textContent ?? undefined)],
      chartPoints: num(q('live-chart')?.dataset['points']) ?? 0,
      chartKind: q('live-chart')?.dataset['kind'],
      chartPixels: document.querySelector<HTMLCanvasElement>('[data-testid="live-chart"] canvas')?.toDataURL() ?? '',
      winPoints: num(q('win-probability')?.dataset['points']) ?? 0,
      winModel: q('win-probability')?.dataset['model'],
      winLastSeq: num(q('win-probability')?.dataset['lastSeq']),
      winSwingWpa: num(q('win-prob-swing')?.dataset['wpa']),
      winPixels: document.querySelector<HTMLCanvasElement>('[data-testid="win-prob-chart"] canvas')?.toDataURL() ?? '',
      kills: [...document.querySelectorAll('[data-testid="kill-feed"] li')].map((li) => Number((li as HTMLElement).dataset['seq'])),
      players: [...document.querySelectorAll<HTMLTableRowElement>('[data-testid="players"] tbody tr')].map((tr) => ({
        id: tr.dataset['playerId'],
        name: tr.querySelector('th')?.textContent,
        kills: Number(tr.querySelector('[data-stat="kills"]')?.textContent),
        deaths: Number(tr.querySelector('[data-stat="deaths"]')?.textContent),
        assists: Number(tr.querySelector('[data-stat="assists"]')?.textContent),
      })),
    };
  });
}

describe('dashboard: a fan follows a live match in Chromium', () => {
  let t: TestApp | undefined;
  let proxy: LiveDropProxy | undefined;
  let browser: Browser | undefined;
  let chromiumPath: string;

  beforeAll(() => {
    chromiumPath = ensureChromium();
    ensureDashboard();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await t?.dispose();
  });

  it('shows the match moving, survives a dropped live socket with no gap, and ends on the final stats', async () => {
    const log = (m: string) => process.stderr.write(`[e2e] ${m}\n`);
    const events = await eventsOf('cs2-log', ['cs2-log/wingman.log']);
    const id = events[0]!.matchId;
    const finalSeq = events.at(-1)!.seq;
    const kills = events.filter((e) => e.type === 'player.killed.player').map((e) => e.seq);

    // ---- the real server, and the browser in front of it (through the proxy that can cut its live socket)
    const started = performance.now();
    t = await embeddedApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const serverPort = (t.app.server.address() as { port: number }).port;
    const server = `http://127.0.0.1:${serverPort}`;
    proxy = await startLiveDropProxy({ host: '127.0.0.1', port: serverPort });
    const base = `http://127.0.0.1:${proxy.port}`;
    const serverMs = performance.now() - started;
    // Gates: the match starts (a few events) before the browser opens; it waits after the second
    // round until the page has shown the score and chart moving, then goes on while the page is cut off.
    const secondRoundEnd = events.findIndex((e) => e.type === 'round.ended' && (e.payload as { round: number }).round === 2);
    const [pageOpen, afterRound2] = [6, secondRoundEnd + 1];
    const feed = replay(t, events, [pageOpen, afterRound2]);
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()} @${Math.round(performance.now() - started)}ms`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

    // ---- the live matches list: / redirects a browser to the dashboard, which lists the match
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/app/');
    const row = page.locator(`[data-testid="live-matches"] tr[data-match-id="${id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('LIVE');
    const listShot = `${SCREENSHOTS}matches-list.png`;
    await page.screenshot({ path: listShot, fullPage: true });

    // ---- the match page, by the list's link (keyboard: focus it and press Enter)
    await row.locator('a').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/app/#/matches/${id}`);
    await until('the first stats on the page', async () => (await pageState(page)).seq !== undefined);
    const first = await pageState(page);
    feed.open(pageOpen);
    await until('the page to move (a delta after the first render)', async () => ((await pageState(page)).seq ?? 0) > first.seq!);
    const liveMs = performance.now() - started;
    log(`server start → listening ${Math.round(serverMs)} ms; → live page rendering moving data ${Math.round(liveMs)} ms (browser launch and list page included)`);
    expect(first.teams).toEqual(['Night Owls', 'Paper Tigers']);

    // ---- the scoreboard and the chart change as events arrive
    const before = await pageState(page);
    await until(
      'the score and the chart to change',
      async () => {
        const s = await pageState(page);
        return s.scores[0]! + s.scores[1]! > before.scores[0]! + before.scores[1]! && s.chartPoints > before.chartPoints && s.chartPixels !== before.chartPixels;
      },
      20_000,
    );
    // ---- the win-probability chart (predictions are on by default) appears and moves live
    await until('the win-probability chart', async () => (await pageState(page)).winPoints > 0, 10_000);
    const winFirst = await pageState(page);
    expect(winFirst.winModel).toMatch(/^cs2-round-markov@/);
    await until('the win-probability chart to move', async () => {
      const s = await pageState(page);
      return s.winPoints > winFirst.winPoints && s.winPixels !== winFirst.winPixels;
    });
    expect(feed.fed).toBeLessThanOrEqual(afterRound2); // still live: the page followed the match, not its end

    // ---- the live socket is reset and held while the match goes on
    const atDrop = await pageState(page);
    expect(atDrop.state).toBe('open');
    log(`drop at ${Math.round(performance.now() - started)} ms`);
    proxy.drop();
    await until('the page to notice the drop', async () => (await pageState(page)).state === 'reconnecting', 5000);
    const fedAtDrop = feed.fed;
    feed.open(afterRound2);
    let serverSeq = 0;
    await until('the match to move on while the page is cut off', async () => {
      serverSeq = ((await (await fetch(`${server}/v1/matches/${id}`)).json()) as { lastSeq: number }).lastSeq;
      return feed.fed >= fedAtDrop + 8 && serverSeq > (atDrop.seq ?? 0) + 4;
    });
    const cut = await pageState(page);
    expect(cut.state).toBe('reconnecting');
    expect(cut.seq).toBe(atDrop.seq); // nothing arrives while cut off
    log(`restore at ${Math.round(performance.now() - started)} ms`);
    proxy.restore();
    await until('the page to resume', async () => {
      const s = await pageState(page);
      return s.state === 'open' && (s.seq ?? 0) > cut.seq!;
    });

    // ---- to the end of the match: the page ends exactly on the server's final stats
    await feed.done;
    await until('the final seq on the page', async () => (await pageState(page)).seq === finalSeq, 15_000);
    let rest: MatchStatsView | undefined;
    await until('the final stats over REST', async () => {
      rest = (await (await fetch(`${server}/v1/matches/${id}/stats`)).json()) as MatchStatsView;
      return rest.lastSeq === finalSeq;
    });
    await until('the whole kill feed', async () => (await pageState(page)).kills.length === kills.length, 10_000);
    const end = await pageState(page);
    expect(rest!.status).toBe('finished');
    expect(end.status).toBe('finished');
    expect(end.teams).toEqual(rest!.teams.map((x) => x.name));
    expect(end.scores).toEqual(rest!.teams.map((x) => x.score));
    expect(end.scores).toEqual([3, 2]);
    expect(end.chartPoints).toBe(rest!.rounds!.length);
    expect(end.kills).toEqual([...kills].reverse()); // newest first, none missing, none twice
    const players = (p: Array<{ id?: string; kills: number; deaths: number; assists: number }>) => p.map((x) => ({ id: x.id, kills: x.kills, deaths: x.deaths, assists: x.assists })).sort((a, b) => a.id!.localeCompare(b.id!));
    expect(players(end.players)).toEqual(players(rest!.players));
    // Resumed, not restarted: one snapshot (the first subscription), one drop, no gap in the seq chain.
    expect(end.reconnects).toBe(1);
    expect(end.snapshots).toBe(1);
    expect(end.gaps).toBe(0);
    // The win-probability chart ends with every prediction the server stored, the last one 100/0.
    const stored = ((await (await fetch(`${server}/v1/matches/${id}/predictions?limit=1000`)).json()) as { data: Array<{ seq: number; event?: { wpa: number } }> }).data;
    expect(stored.length).toBeGreaterThan(winFirst.winPoints);
    expect(end.winPoints).toBe(stored.length);
    expect(end.winLastSeq).toBe(stored.at(-1)!.seq);
    expect(end.winSwingWpa).toBe([...stored].reverse().find((p) => p.event && p.event.wpa !== 0)?.event?.wpa);
    expect(end.winPixels).not.toBe(winFirst.winPixels);
    const winner = await page.locator('[data-testid="win-prob-now"] [data-probability="1"]').textContent();
    expect(winner).toContain(rest!.teams.find((x) => x.id === rest!.winner)!.name);
    const matchShot = `${SCREENSHOTS}live-match.png`;
    await page.screenshot({ path: matchShot, fullPage: true });

    // ---- the match at any point: the seq slider (keyboard) loads GET /v1/matches/{id}/state?seq=
    const stateAt = async () =>
      page.evaluate(() => {
        const box = document.querySelector<HTMLElement>('[data-testid="state-at"]');
        return {
          seq: box?.dataset['seq'] ? Number(box.dataset['seq']) : undefined,
          loading: box?.dataset['loading'] === 'true',
          scores: document.querySelector<HTMLElement>('[data-testid="state-score"]')?.dataset['scores'],
          players: [...document.querySelectorAll<HTMLTableRowElement>('[data-testid="state-players"] tbody tr')].map((tr) => ({
            id: tr.dataset['playerId'],
            kills: Number(tr.querySelector('[data-stat="kills"]')?.textContent),
            deaths: Number(tr.querySelector('[data-stat="deaths"]')?.textContent),
            assists: Number(tr.querySelector('[data-stat="assists"]')?.textContent),
          })),
        };
      });
    const slider = page.getByLabel('Event (seq)');
    await slider.focus();
    await page.keyboard.press('Home');
    await until('the match at its first seq', async () => (await stateAt()).seq === events[0]!.seq);
    expect((await stateAt()).scores).toBe('0:0');
    await page.keyboard.press('ArrowRight');
    await until('the match one event later', async () => (await stateAt()).seq === events[0]!.seq + 1);
    const round2Seq = events[secondRoundEnd]!.seq;
    await slider.fill(String(round2Seq));
    await until('the match after round 2', async () => {
      const s = await stateAt();
      return s.seq === round2Seq && !s.loading;
    });
    const at2 = await stateAt();
    const rest2 = (await (await fetch(`${server}/v1/matches/${id}/state?seq=${round2Seq}`)).json()) as { stats: MatchStatsView };
    expect(at2.scores).toBe(rest2.stats.teams.map((x) => x.score).join(':'));
    expect(rest2.stats.teams[0]!.score + rest2.stats.teams[1]!.score).toBe(2); // earlier than the final 3:2
    expect(players(at2.players)).toEqual(players(rest2.stats.players));
    expect((await pageState(page)).scores).toEqual([3, 2]); // the live scoreboard stays on the latest
    const stateShot = `${SCREENSHOTS}match-at-seq.png`;
    await page.locator('[data-testid="state-at"]').screenshot({ path: stateShot });
    expect(problems).toEqual([]);
    log(`win probability: ${end.winPoints} predictions (${end.winModel}), first seen with ${winFirst.winPoints}`);
    log(`${end.deltas} deltas; live socket dropped at seq ${cut.seq} and held while the server went on to seq ≥ ${serverSeq}; resumed with no gap; final seq ${end.seq}, score ${end.scores.join(':')}, ${end.kills.length} kills`);
    log(`state at seq ${round2Seq}: ${at2.scores} (final 3:2)`);
    log(`screenshots: ${listShot} ${matchShot} ${stateShot}`);
  }, 120_000);
});
