// cs2-log as a stream: bodies of any size give the same events, re-sent bodies nothing new, both line
// shapes (log file and HTTP) are read, and the match lifecycle survives restarts, new matches and
// streams that begin mid-match.
import { describe, expect, it } from 'vitest';
import { cs2LogAdapter } from '../../../src/ingest/adapters/cs2-log/adapter.ts';
import { ctx, expectValidDrafts, run } from '../harness.ts';
import { at, BLUE, bodies, lines, liveStart, ofType, RED, toHttpFormat, WINGMAN } from './helpers.ts';

const c = ctx({ streamId: 'srv-9' });
const whole = run(cs2LogAdapter, [WINGMAN], c);
const strip = (ds: typeof whole) => ds.map(({ key: _key, occurredAt: _at, ...rest }) => rest);

describe('cs2-log: delivery', () => {
  it.each([1, 2, 5, 17, 60])('gives the same drafts, keys included, whatever the body size (%i lines)', (n) => {
    expect(run(cs2LogAdapter, bodies(WINGMAN, n), c)).toEqual(whole);
  });

  it('reads CRLF line ends, blank lines and a missing final newline', () => {
    const crlf = `\r\n${lines(WINGMAN).join('\r\n\r\n')}`;
    expect(run(cs2LogAdapter, [crlf], c)).toEqual(whole);
  });

  it('ignores a body sent twice in a row (a retry), but not the same line in a later body', () => {
    const sent = bodies(WINGMAN, 9).flatMap((b) => [b, b]);
    expect(run(cs2LogAdapter, sent, c)).toEqual(whole);
    // two identical purchases in one second, split over two bodies, are two purchases
    const buy = at('20:02:05', `${RED} purchased "flashbang"`);
    const two = run(cs2LogAdapter, [liveStart('20:02:03'), buy, at('20:02:05', `${BLUE} purchased "tec9"`), buy], c);
    expect(ofType(two, 'player.purchased.item').map((p) => p.payload.item)).toEqual(['flashbang', 'tec9', 'flashbang']);
    expectValidDrafts(cs2LogAdapter, two);
  });

  it('reads the HTTP logaddress shape (no "L ", milliseconds) into the same events, to the millisecond', () => {
    const http = run(cs2LogAdapter, bodies(toHttpFormat(WINGMAN), 11), c);
    expect(strip(http)).toEqual(strip(whole));
    expect(http[0]!.occurredAt).toBe('2026-03-14T20:02:03.250Z');
    expectValidDrafts(cs2LogAdapter, http);
  });
});

describe('cs2-log: match lifecycle', () => {
  const round = (time: string, ct: number, t: number) =>
    at(time, 'World triggered "Round_Start"', `${RED} [0 0 0] killed ${BLUE} [10 0 0] with "deagle"`, `Team "CT" triggered "SFUI_Notice_CTs_Win" (CT "${ct}") (T "${t}")`, 'World triggered "Round_End"');

  it('gives a new live match on the same stream a new match id', () => {
    const second = [liveStart('21:00:00'), round('21:00:20', 1, 0), at('21:01:00', 'Game Over: competitive  de_nuke score 1:0 after 1 min')].join('\n');
    const drafts = run(cs2LogAdapter, [WINGMAN, second], c);
    expectValidDrafts(cs2LogAdapter, drafts);
    const started = ofType(drafts, 'match.started');
    expect(started.map((s) => s.matchId)).toEqual(['cs2-srv-9-20260314200203', 'cs2-srv-9-20260314210000']);
    expect(started[1]!.payload.teams.map((t) => t.id)).toEqual(['reds', 'blues']);
    const ended = ofType(drafts, 'match.ended');
    expect(ended.map((e) => [e.matchId, e.payload.winner, e.payload.score])).toEqual([
      ['cs2-srv-9-20260314200203', 'night-owls', [3, 2]],
      ['cs2-srv-9-20260314210000', 'reds', [1, 0]],
    ]);
  });

  it('ends a match restarted after rounds were played as aborted, and starts a new one', () => {
    const log = [liveStart('21:00:00'), round('21:00:20', 1, 0), liveStart('21:02:00'), round('21:02:20', 1, 0)].join('\n');
    const drafts = run(cs2LogAdapter, [log], c);
    expectValidDrafts(cs2LogAdapter, drafts);
    expect(ofType(drafts, 'match.ended').map((e) => [e.matchId, e.payload])).toEqual([
      ['cs2-srv-9-20260314210000', { score: [1, 0], reason: 'aborted: restarted', durationMs: 120_000 }],
    ]);
    expect(ofType(drafts, 'round.ended').map((r) => [r.matchId, r.payload.round])).toEqual([
      ['cs2-srv-9-20260314210000', 1],
      ['cs2-srv-9-20260314210200', 1],
    ]);
  });

  it('keeps one match through restarts before the first round ("live on three")', () => {
    const log = [liveStart('21:00:00'), liveStart('21:00:02'), liveStart('21:00:04'), round('21:00:20', 1, 0)].join('\n');
    const drafts = run(cs2LogAdapter, [log], c);
    expect(new Set(drafts.map((d) => d.matchId))).toEqual(new Set(['cs2-srv-9-20260314210000']));
    expect(ofType(drafts, 'match.started')).toHaveLength(1);
  });

  it('ends the match as aborted when the server goes back to warmup', () => {
    const log = [liveStart('21:00:00'), round('21:00:20', 1, 0), at('21:01:00', 'World triggered "Warmup_Start"'), round('21:01:20', 2, 0)].join('\n');
    const drafts = run(cs2LogAdapter, [log], c);
    expect(ofType(drafts, 'match.ended').map((e) => e.payload.reason)).toEqual(['aborted: warmup']);
    expect(ofType(drafts, 'round.ended')).toHaveLength(1);
  });

  it('a round backup restore (rounds played go back) numbers rounds again from there and resets the score', async () => {
    const log = [
      liveStart('21:00:00'),
      round('21:00:20', 1, 0),
      round('21:01:20', 2, 0),
      round('21:02:20', 3, 0),
      // mp_backup_restore_load_file of round 2's backup: the server says 1 round played, 1:0
      at('21:03:00', 'MatchStatus: Score: 1:0 on map "de_nuke" RoundsPlayed: 1'),
      round('21:03:20', 2, 0),
    ].join('\n');
    const drafts = run(cs2LogAdapter, [log], c);
    expectValidDrafts(cs2LogAdapter, drafts);
    expect(ofType(drafts, 'round.started').map((r) => r.payload.round)).toEqual([1, 2, 3, 2]);
    expect(ofType(drafts, 'score.changed').map((r) => r.payload.score)).toEqual([[1, 0]]);
    // …and the stats, fed the same events, roll round 3 and the first round 2 back: 2 kills, not 4
    const { applyStats, newStats, statsView } = await import('@clutch/core');
    const s = newStats('cs2', drafts[0]!.matchId);
    drafts.forEach((d, i) => applyStats(s, { ...d, id: '0', v: 1, tenant: 't', title: 'cs2', source: 'cs2-log', seq: i + 1, receivedAt: d.occurredAt } as never));
    const v = statsView(s);
    expect(v.rounds).toHaveLength(2);
    expect(v.players.find((p) => p.name === 'red')!.kills).toBe(2);
  });

  it('joins a match already under way, numbering rounds and scoring from MatchStatus', () => {
    const from = lines(WINGMAN).findIndex((l) => l.startsWith('L 03/14/2026 - 20:05:24: Starting Freeze period'));
    const drafts = run(cs2LogAdapter, [lines(WINGMAN).slice(from).join('\n')], c);
    expectValidDrafts(cs2LogAdapter, drafts);
    const [started] = ofType(drafts, 'match.started');
    expect(started!.matchId).toBe('cs2-srv-9-20260314200530');
    expect(started!.payload).toEqual({
      teams: [
        { id: 'paper-tigers', name: 'Paper Tigers', side: 'ct' },
        { id: 'night-owls', name: 'Night Owls', side: 't' },
      ],
      map: 'de_vertigo',
      extra: { joinedMidMatch: true, roundsPlayed: 3 },
    });
    expect(ofType(drafts, 'round.started').map((r) => r.payload.round)).toEqual([4, 5]);
    expect(ofType(drafts, 'round.ended').map((r) => [r.payload.round, r.payload.winner, r.payload.score])).toEqual([
      [4, 'night-owls', [2, 2]],
      [5, 'night-owls', [2, 3]],
    ]);
    expect(ofType(drafts, 'match.ended')[0]!.payload).toMatchObject({ winner: 'night-owls', score: [2, 3] });
  });

  it('names teams ct/t by their starting side when the server sets no team names', () => {
    const log = at(
      '21:00:00',
      'World triggered "Match_Start" on "de_nuke"',
      'MatchStatus: Score: 0:0 on map "de_nuke" RoundsPlayed: 0',
      'World triggered "Round_Start"',
      '"Bot Ivan<7><BOT><CT>" [0 0 0] killed "Bot Olga<8><BOT><TERRORIST>" [1 1 1] with "famas"',
    );
    const drafts = run(cs2LogAdapter, [log], c);
    expect(ofType(drafts, 'match.started')[0]!.payload.teams).toEqual([
      { id: 'ct', name: 'CT', side: 'ct' },
      { id: 't', name: 'T', side: 't' },
    ]);
    expect(ofType(drafts, 'player.killed.player')[0]!.payload).toMatchObject({ killer: { id: 'bot-bot-ivan', team: 'ct' }, victim: { id: 'bot-bot-olga', team: 't' } });
  });

  it('reports players connecting and leaving during a match, without their address', () => {
    const log = [liveStart('21:00:00'), at('21:00:10', '"late<9><[U:1:99]><>" connected, address "192.0.2.1:27005"', '"late<9><[U:1:99]><CT>" disconnected (reason "Kicked by Console")')].join('\n');
    const drafts = run(cs2LogAdapter, [log], c);
    expect(ofType(drafts, 'player.connected').map((d) => d.payload)).toEqual([{ player: { id: '76561197960265827', name: 'late' } }]);
    expect(ofType(drafts, 'player.disconnected').map((d) => d.payload.reason)).toEqual(['Kicked by Console']);
    expect(JSON.stringify(drafts)).not.toContain('192.0.2.1');
  });
});
