// Serving win probability (issue #9): a recorded CS2 match replayed through the processor (embedded
// adapters, worker threads) yields predictions that move with the events, the stored time series equals
// what was sent live, a replay changes nothing, and the REST routes serve them; the draft what-if
// validates its input. The match-probability recursion is checked against known values.
import { afterEach, describe, expect, it } from 'vitest';
import { parseFiles } from '../../../src/cli/parse.ts';
import { toRecord } from '../../../src/events/codec.ts';
import type { LivePrediction } from '../../../src/predict/live.ts';
import { CS2_RULES, matchWinProbability, VALORANT_RULES } from '../../../src/predict/live.ts';
import { historyKey } from '../../../src/processing/processor.ts';
import { topicNames } from '../../../src/topics.ts';
import { embeddedApp, type TestApp } from '../../support/app.ts';
import { envelope } from '../../support/events.ts';

const topics = topicNames('');
const fixture = (p: string) => new URL(`../../fixtures/${p}`, import.meta.url).pathname;
const eventsOf = async (source: string, files: string[]) => (await parseFiles(source, files.map(fixture), { tenant: 'demo', streamId: 's', receivedAt: '2026-03-14T20:00:00.000Z' })).events;

describe('match win probability from rounds', () => {
  it('is exact for fair rounds and follows the score', () => {
    expect(matchWinProbability(0, 0, undefined, CS2_RULES)).toBeCloseTo(0.5, 12);
    expect(matchWinProbability(12, 12, undefined, CS2_RULES)).toBeCloseTo(0.5, 12);
    // 12–12 with the round in play at 0.7: win it (0.7) then the MR3 overtime from 1–0.
    expect(matchWinProbability(12, 12, 0.7, CS2_RULES)).toBeCloseTo(0.7 * matchWinProbability(13, 12, undefined, CS2_RULES) + 0.3 * matchWinProbability(12, 13, undefined, CS2_RULES), 12);
    expect(matchWinProbability(12, 0, undefined, CS2_RULES)).toBeCloseTo(1 - 0.5 ** 13, 12);
    expect(matchWinProbability(13, 5, undefined, CS2_RULES)).toBe(1);
    // Overtimes repeat at 3–3: 15–15 is a new overtime, 16–15 its 1–0.
    expect(matchWinProbability(15, 15, undefined, CS2_RULES)).toBeCloseTo(0.5, 12);
    expect(matchWinProbability(16, 15, undefined, CS2_RULES)).toBeCloseTo(matchWinProbability(13, 12, undefined, CS2_RULES), 12);
    // Valorant overtime: win by two.
    expect(matchWinProbability(13, 12, undefined, VALORANT_RULES)).toBeCloseTo(0.75, 12);
    // Better rounds, better matches; monotone in the score.
    expect(matchWinProbability(6, 6, undefined, CS2_RULES, 0.6)).toBeGreaterThan(0.7);
    expect(matchWinProbability(7, 6, undefined, CS2_RULES)).toBeGreaterThan(matchWinProbability(6, 6, undefined, CS2_RULES));
  });
});

describe('serving predictions (embedded processor, worker threads)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('a replayed CS2 match: predictions move with events, stored equals live, replay idempotent, REST serves them', async () => {
    t = await embeddedApp({ CLUTCH_PROCESSOR_WORKERS: '2' });
    await t.app.ready();
    const cs2 = await eventsOf('cs2-log', ['cs2-log/wingman.log']);
    const id = cs2[0]!.matchId;
    const last = cs2.at(-1)!;
    // One event at a time, each processed before the next: small batches, as live (a delta carries at
    // most MAX_DELTA_PREDICTIONS predictions; a catch-up batch leaves older ones to REST).
    for (const e of cs2) {
      await t.infra.eventLog.append([toRecord(topics.events, e)]);
      await expect.poll(async () => (await t!.app.inject({ url: `/v1/matches/${id}/stats` })).json().lastSeq, { timeout: 15_000, interval: 10 }).toBe(e.seq);
    }

    // What went live: the predictions of every delta in the match's history.
    const history = await t.infra.cache.liveHistory.readAfter(historyKey('demo', id), 0, 10_000);
    const live = history.flatMap((h) => (JSON.parse(h.message) as { predictions?: LivePrediction[] }).predictions ?? []);
    expect(live.length).toBeGreaterThan(10);
    for (const p of live) {
      expect(p.model).toMatchObject({ name: 'cs2-round-markov', version: '1', base: 'cs-round.v2' });
      expect(p.teams).toHaveLength(2);
      expect(p.teams[0]!.probability + p.teams[1]!.probability).toBeCloseTo(1, 3);
      expect(p.explanation.inputs.length).toBeGreaterThan(0);
      expect(p.event?.seq).toBe(p.seq);
    }
    const bySeq = new Map(live.map((p) => [p.seq, p]));
    const before = (seq: number) => live.filter((p) => p.seq < seq && p.round).at(-1)!;
    // A T player dies → P(CT wins the round) rises; a bomb plant shifts it toward T.
    const tDeaths = cs2.filter((e) => e.type === 'player.killed.player' && (e.payload as { victim: { side?: string } }).victim.side === 't' && (e.payload as { killer?: unknown }).killer);
    expect(tDeaths.length).toBeGreaterThan(0);
    for (const e of tDeaths) expect(bySeq.get(e.seq)!.round!.probabilityCt).toBeGreaterThan(before(e.seq).round!.probabilityCt);
    const plants = cs2.filter((e) => e.type === 'bomb.planted');
    expect(plants.length).toBeGreaterThan(0);
    for (const e of plants) expect(bySeq.get(e.seq)!.round!.probabilityCt).toBeLessThan(before(e.seq).round!.probabilityCt);
    // WPA: the event's change of its team's match probability; per player, the sum over their events.
    const kill = bySeq.get(tDeaths[0]!.seq)!;
    const prev = live.filter((p) => p.seq < kill.seq).at(-1)!;
    const team = kill.teams.findIndex((x) => x.id === kill.event!.team);
    expect(kill.event!.wpa).toBeCloseTo(kill.teams[team]!.probability - prev.teams[team]!.probability, 3);
    expect(kill.event!.player).toBe((tDeaths[0]!.payload as { killer: { id: string } }).killer.id);
    const final = live.at(-1)!;
    expect(final.event!.type).toBe('match.ended');
    const winner = (last.payload as { winner?: string }).winner;
    expect(final.teams.find((x) => x.id === winner)!.probability).toBe(1);
    const credited = new Map<string, number>();
    for (const p of live) if (p.event?.player) credited.set(p.event.player, (credited.get(p.event.player) ?? 0) + p.event.wpa);
    for (const [player, sum] of credited) expect(final.playerWpa![player]).toBeCloseTo(sum, 3);
    // WPA as a stat: the title's leaderboard ranks players by it (this match's totals).
    const board = (await t.app.inject({ url: '/v1/leaderboards/cs2/wpa?limit=100' })).json() as { data: Array<{ rank: number; player: string; value: number }> };
    const expected = Object.entries(final.playerWpa!).map(([player, v]) => ({ player, value: Math.round(v * 10_000) / 10_000 })).sort((a, b) => b.value - a.value);
    expect(board.data.map(({ player, value }) => ({ player, value }))).toEqual(expected);
    expect(board.data.map((r) => r.rank)).toEqual(expected.map((_, i) => i + 1));

    // Stored time series = what was sent live; REST pages by seq.
    const rest = async (q: string) => (await t!.app.inject({ url: `/v1/matches/${id}/predictions${q}` })).json() as { data: LivePrediction[]; next: number | null };
    const all = await rest('?limit=1000');
    expect(all.next).toBeNull();
    expect(all.data).toEqual(JSON.parse(JSON.stringify(live)));
    const page1 = await rest('?limit=5');
    expect(page1.data).toEqual(all.data.slice(0, 5));
    expect(page1.next).toBe(all.data[4]!.seq);
    const page2 = await rest(`?limit=5&afterSeq=${page1.next}`);
    expect(page2.data).toEqual(all.data.slice(5, 10));
    expect((await t.app.inject({ url: '/v1/matches/nope/predictions' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/v1/matches/${id}/predictions?limit=0` })).json().code).toBe('CLUTCH_BAD_REQUEST');

    // A replay of the whole match changes nothing: no new delta, no new row.
    for (const e of cs2) await t.infra.eventLog.append([toRecord(topics.events, e)]);
    const marker = { ...last, seq: last.seq + 1, type: 'score.changed', payload: { score: [5, 0] } } as typeof last;
    await t.infra.eventLog.append([toRecord(topics.events, marker)]);
    await expect.poll(async () => (await t!.app.inject({ url: `/v1/matches/${id}/stats` })).json().lastSeq, { timeout: 15_000 }).toBe(marker.seq);
    const after = await rest('?limit=1000');
    expect(after.data).toEqual(all.data);
    const history2 = await t.infra.cache.liveHistory.readAfter(historyKey('demo', id), 0, 10_000);
    expect(history2.length).toBe(history.length + 1);
  });

  it('a live Dota draft: predicted at the tenth pick, with the lobby (cluster, game mode, lobby type) when the source gives it', async () => {
    t = await embeddedApp();
    await t.app.ready();
    const radiant = [1, 2, 3, 4, 5];
    const dire = [6, 7, 8, 9, 10];
    const draft = (matchId: string, extra?: Record<string, number>) => {
      const b = { tenant: 'demo', title: 'dota2' as const, matchId };
      const picks = radiant.flatMap((r, i) => [
        envelope(b, 2 + 2 * i, 'draft.picked', { team: 'radiant', character: `hero ${r}`, characterId: String(r) }),
        envelope(b, 3 + 2 * i, 'draft.picked', { team: 'dire', character: `hero ${dire[i]}`, characterId: String(dire[i]) }),
      ]);
      return [envelope(b, 1, 'match.started', { teams: [{ id: 'radiant', name: 'Radiant' }, { id: 'dire', name: 'Dire' }], mode: 'Captains Mode', ...(extra ? { extra } : {}) }), ...picks];
    };
    const drafted = async (matchId: string, events: ReturnType<typeof draft>) => {
      await t!.infra.eventLog.append(events.map((e) => toRecord(topics.events, e)));
      let got: LivePrediction[] = [];
      await expect.poll(async () => (got = (await t!.app.inject({ url: `/v1/matches/${matchId}/predictions?kind=draft` })).json().data ?? []).length, { timeout: 15_000 }).toBe(1);
      return got[0]!;
    };
    // Steam / OpenDota give the lobby: Europe West (cluster 133), Captains Mode, lobby type 2.
    const eu = await drafted('dota-eu', draft('dota-eu', { cluster: 133, gameModeId: 2, lobbyType: 2 }));
    const plain = await drafted('dota-plain', draft('dota-plain'));
    expect(eu).toMatchObject({ seq: 11, kind: 'draft', model: { name: 'dota2-draft' } });
    expect(plain.seq).toBe(11);
    // The same answer as the what-if on the same picks, with and without the lobby; and they differ.
    const whatIf = (lobby?: object) => t!.app.inject({ method: 'POST', url: '/v1/predict/draft', payload: { task: 'dota2-draft', team1: radiant, team2: dire, ...(lobby ? { lobby } : {}) } }).then((r) => r.json().probability as number);
    expect(eu.teams[0]!.probability).toBeCloseTo(await whatIf({ cluster: 133, gameMode: 2, lobbyType: 2 }), 4);
    expect(plain.teams[0]!.probability).toBeCloseTo(await whatIf(), 4);
    expect(eu.teams[0]!.probability).not.toBeCloseTo(plain.teams[0]!.probability, 3);
  });

  it('POST /v1/predict/draft: validates the picks and explains the probability', async () => {
    t = await embeddedApp();
    await t.app.ready();
    const post = (body: unknown) => t!.app.inject({ method: 'POST', url: '/v1/predict/draft', payload: body as object });
    const ok = await post({ task: 'dota2-draft', team1: [1, 2, 3, 4, 5], team2: [6, 7, 8, 9, 10], top: 5 });
    expect(ok.statusCode).toBe(200);
    const b = ok.json();
    expect(b.model).toEqual({ name: 'dota2-draft', version: '2' });
    expect(b.probability).toBeGreaterThan(0);
    expect(b.probability).toBeLessThan(1);
    expect(b.teams[0].probability + b.teams[1].probability).toBeCloseTo(1, 9);
    expect(b.contributions).toHaveLength(5);
    expect(b.bias + b.rest + b.contributions.reduce((s: number, c: { contribution: number }) => s + c.contribution, 0)).toBeCloseTo(b.logit, 9);
    expect((await post({ task: 'lol-draft', team1: [516, 64], team2: [150] })).statusCode).toBe(200);
    // Dota: where the game is played moves it (each hero by region and game mode) and is explained.
    const eu = (await post({ task: 'dota2-draft', team1: [1, 2, 3, 4, 5], team2: [6, 7, 8, 9, 10], top: 50, lobby: { cluster: 133, gameMode: 2, lobbyType: 2 } })).json();
    const cn = (await post({ task: 'dota2-draft', team1: [1, 2, 3, 4, 5], team2: [6, 7, 8, 9, 10], top: 50, lobby: { cluster: 223, gameMode: 2, lobbyType: 2 } })).json();
    expect(eu.probability).not.toBeCloseTo(cn.probability, 4);
    expect(eu.contributions.some((c: { label: string }) => c.label === 'hero 1 in region Europe West')).toBe(true);
    expect(cn.contributions.some((c: { label: string }) => c.label === 'hero 1 in region China')).toBe(true);
    expect((await post({ task: 'lol-draft', team1: [1], team2: [2], lobby: { cluster: 133, gameMode: 2, lobbyType: 2 } })).json().code).toBe('CLUTCH_PREDICT_BAD_DRAFT');
    // Validation: schema errors, then the model's own rules, each with a code.
    for (const [body, code] of [
      [{ task: 'cs-round', team1: [1], team2: [2] }, 'CLUTCH_BAD_REQUEST'],
      [{ task: 'dota2-draft', team1: [1, 2, 3, 4, 5, 6], team2: [] }, 'CLUTCH_BAD_REQUEST'],
      [{ task: 'dota2-draft', team1: ['x'], team2: [] }, 'CLUTCH_BAD_REQUEST'],
      [{ task: 'dota2-draft', team1: [1], team2: [2], extra: 1 }, 'CLUTCH_BAD_REQUEST'],
      [{ task: 'dota2-draft', team1: [1, 2], team2: [2] }, 'CLUTCH_PREDICT_BAD_DRAFT'],
      [{ task: 'dota2-draft', team1: [200], team2: [2] }, 'CLUTCH_PREDICT_BAD_DRAFT'],
    ] as const) {
      const r = await post(body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().code).toBe(code);
    }
  });
});
