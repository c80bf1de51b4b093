// The fans' pages around a match, in Chromium: a recorded CS2 match (wingman.log) is played into the
// real server (embedded adapters) as part of a tournament; from the finished match page the fan
// follows the links to the tournament (standings, leaderboard), a team (roster, stat history,
// head-to-head) and a player (stat history, latest matches). Every page must show what the REST API
// answers, have no horizontal overflow at 390 px, and log no console error. Screenshots go to
// dashboard/test-results/screenshots/pages-*.png.
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatchStatsView } from '@clutch/core';
import { ensureChromium } from '../../scripts/browser.ts';
import { ensureDashboard } from '../../scripts/dashboard.ts';
import { embeddedApp, type TestApp } from '../../server/test/support/app.ts';
import { eventsOf, feed } from '../../server/test/support/replay.ts';

const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TOURNAMENT = 'spring-cup';

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

describe('dashboard: tournament, team and player pages in Chromium', () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let chromiumPath: string;

  beforeAll(() => {
    chromiumPath = ensureChromium();
    ensureDashboard();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.dispose();
  });

  it('links the match page to its tournament, teams and players, each showing the API data', async () => {
    const log = (m: string) => process.stderr.write(`[e2e] ${m}\n`);
    const events = (await eventsOf('cs2-log', ['cs2-log/wingman.log'])).map((e) => ({ ...e, tournamentId: TOURNAMENT }));
    const id = events[0]!.matchId;
    t = await embeddedApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const server = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const get = async <T,>(path: string) => (await (await fetch(`${server}${path}`)).json()) as T;
    await feed(t, events);
    let stats: MatchStatsView | undefined;
    await until('the match to finish', async () => (stats = await get<MatchStatsView>(`/v1/matches/${id}/stats`)).status === 'finished' && stats.lastSeq === events.at(-1)!.seq);
    await until('the standings', async () => (await get<{ standings?: unknown[] }>(`/v1/tournaments/${TOURNAMENT}`)).standings?.length === 2);
    const [a, b] = stats!.teams;
    const winner = stats!.teams.find((x) => x.id === stats!.winner)!;

    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const shots: string[] = [];
    /** A full-page screenshot at 1280 px, then the page at 390 px must not scroll sideways. */
    const check = async (name: string) => {
      const path = `${SCREENSHOTS}pages-${name}.png`;
      await page.screenshot({ path, fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await sleep(150);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      const narrow = `${SCREENSHOTS}pages-${name}-390.png`;
      await page.screenshot({ path: narrow, fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
      expect(overflow, `${name}: horizontal overflow at 390 px`).toBeLessThanOrEqual(0);
      shots.push(path, narrow);
    };

    // ---- the finished match links to its tournament and teams
    await page.goto(`${server}/app/#/matches/${id}`);
    await page.locator('[data-testid="match-status"][data-status="finished"]').waitFor();
    const tournamentLink = page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: `Tournament ${TOURNAMENT}` });
    await tournamentLink.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/app/#/tournaments/${TOURNAMENT}`);

    // ---- tournament: standings and the leaderboard scoped to it
    const standings = page.locator('[data-testid="standings"] tbody tr');
    await standings.first().waitFor();
    const rows = await standings.evaluateAll((trs) => trs.map((tr) => ({ team: (tr as HTMLElement).dataset['teamId'], wins: Number(tr.querySelector('[data-stat="wins"]')?.textContent), losses: Number(tr.querySelector('[data-stat="losses"]')?.textContent) })));
    expect(rows).toEqual([
      { team: winner.id, wins: 1, losses: 0 },
      { team: stats!.teams.find((x) => x.id !== winner.id)!.id, wins: 0, losses: 1 },
    ]);
    const board = await get<{ data: Array<{ player: string; value: number }> }>(`/v1/leaderboards/cs2/kills?tournament=${TOURNAMENT}&limit=10`);
    expect(board.data.length).toBeGreaterThan(0);
    const boardRows = page.locator('[data-testid="leaderboard-table"] tbody tr');
    await until('the leaderboard', async () => (await boardRows.count()) === board.data.length);
    const shown = await boardRows.evaluateAll((trs) => trs.map((tr) => ({ player: (tr as HTMLElement).dataset['playerId'], value: Number(tr.querySelector('[data-stat="value"]')?.textContent) })));
    expect(shown).toEqual(board.data.map((r) => ({ player: r.player, value: r.value })));
    // The names come from the players' list, not their ids.
    const topName = stats!.players.find((p) => p.id === board.data[0]!.player)!.name;
    expect(await boardRows.first().locator('th').textContent()).toBe(topName);
    await page.getByRole('combobox', { name: 'Stat' }).selectOption('deaths');
    await page.locator('[data-testid="leaderboard"][data-stat="deaths"] [data-testid="leaderboard-table"]').waitFor();
    // Win probability added (from the live predictions), shown in points with a sign.
    const wpa = await get<{ data: Array<{ player: string; value: number }> }>(`/v1/leaderboards/cs2/wpa?tournament=${TOURNAMENT}&limit=10`);
    expect(wpa.data.length).toBeGreaterThan(0);
    await page.getByRole('combobox', { name: 'Stat' }).selectOption('wpa');
    const wpaRows = page.locator('[data-testid="leaderboard"][data-stat="wpa"] [data-testid="leaderboard-table"] tbody tr');
    await until('the wpa leaderboard', async () => (await wpaRows.count()) === wpa.data.length);
    const wpaShown = await wpaRows.evaluateAll((trs) => trs.map((tr) => ({ player: (tr as HTMLElement).dataset['playerId'], value: tr.querySelector('[data-stat="value"]')?.textContent })));
    expect(wpaShown).toEqual(wpa.data.map((r) => ({ player: r.player, value: `${r.value >= 0 ? '+' : ''}${(r.value * 100).toFixed(1)} %` })));
    await page.locator(`[data-testid="match-list"] tr[data-match-id="${id}"]`).waitFor();
    await check('tournament');

    // ---- team: roster, stat history, head-to-head against the other team
    await page.locator('[data-testid="standings"]').getByRole('link', { name: a!.name }).click();
    await page.waitForURL(`**/app/#/teams/${a!.id}`);
    const roster = page.locator('[data-testid="roster"] li');
    await roster.first().waitFor();
    expect((await roster.allTextContents()).sort()).toEqual(stats!.players.filter((p) => p.team === a!.id).map((p) => p.name).sort());
    await page.locator('[data-testid="history"][data-bucket="month"] [data-testid="history-chart"]').waitFor();
    const teamHistory = await get<{ data: Array<{ kills: number }> }>(`/v1/teams/${a!.id}/stats?bucket=month&from=${new Date(Date.now() - 395 * 86_400_000).toISOString()}`);
    expect(Number(await page.locator('[data-testid="history-chart"]').getAttribute('data-points'))).toBe(teamHistory.data.length);
    expect(teamHistory.data.reduce((n, r) => n + r.kills, 0)).toBe(a!.kills);
    const h2h = page.locator('[data-testid="head-to-head"]');
    await h2h.waitFor();
    expect(await h2h.getAttribute('data-played')).toBe('1');
    expect([await page.getByTestId('h2h-wins-0').textContent(), await page.getByTestId('h2h-wins-1').textContent()]).toEqual(a!.id === winner.id ? ['1', '0'] : ['0', '1']);
    expect(await page.getByRole('combobox', { name: 'Opponent' }).inputValue()).toBe(b!.id);
    // The bucket is a radio group: keyboard changes it.
    await page.getByRole('radio', { name: 'Month' }).focus();
    await page.keyboard.press('ArrowLeft');
    await page.locator('[data-testid="history"][data-bucket="week"]').waitFor();
    await check('team');

    // ---- player: stat history and latest matches
    const player = stats!.players.find((p) => p.team === a!.id)!;
    await page.locator('[data-testid="roster"]').getByRole('link', { name: player.name }).click();
    await page.waitForURL(`**/app/#/players/${player.id}`);
    await page.getByRole('heading', { level: 1, name: player.name }).waitFor();
    await page.locator('[data-testid="history-chart"]').waitFor();
    const history = await page.locator('[data-testid="history-table"] [data-stat="kills"]').allTextContents();
    expect(history.reduce((n, k) => n + Number(k), 0)).toBe(player.kills);
    await page.locator(`[data-testid="match-list"] tr[data-match-id="${id}"]`).waitFor();
    await check('player');

    // ---- and back to the match from the player's list; its players link to their pages
    await page.locator(`[data-testid="match-list"] tr[data-match-id="${id}"] a`).first().click();
    await page.waitForURL(`**/app/#/matches/${id}`);
    expect(await page.locator('[data-testid="players"]').getByRole('link', { name: player.name }).getAttribute('href')).toBe(`#/players/${encodeURIComponent(player.id)}`);
    await page.locator('[data-testid="win-probability"]').waitFor();
    await check('match');

    expect(problems).toEqual([]);
    log(`tournament ${TOURNAMENT}: ${rows.map((r) => `${r.team} ${r.wins}-${r.losses}`).join(', ')}; leaderboard top ${topName} ${board.data[0]!.value} kills; team ${a!.name} history ${teamHistory.data.length} month(s); player ${player.name} ${player.kills} kills`);
    log(`screenshots: ${shots.join(' ')}`);
  }, 120_000);
});
