// cs2-log on bad input: every rejection is a ParseError naming the line, the state passed in is
// left untouched, and lines that are merely unknown or truncated after their timestamp are ignored.
import { payloadProblems } from '@clutch/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cs2LogAdapter } from '../../../src/ingest/adapters/cs2-log/adapter.ts';
import { isParseError, ParseError } from '../../../src/ingest/adapters/errors.ts';
import { MAX_PAYLOAD_BYTES } from '../../../src/ingest/adapters/util.ts';
import { ctx, fuzz, run } from '../harness.ts';
import { at, bodies, BLUE, lines, liveStart, RED, toHttpFormat, WINGMAN } from './helpers.ts';

function parseError(body: string | Buffer): ParseError {
  try {
    cs2LogAdapter.parse(Buffer.isBuffer(body) ? body : Buffer.from(body), cs2LogAdapter.initialState(), ctx());
  } catch (err) {
    if (isParseError(err)) return err;
    throw err;
  }
  throw new Error('expected a ParseError');
}

describe('cs2-log: bad input', () => {
  it('rejects a body that is not log lines, naming the line', () => {
    const err = parseError('{"event":"round_end"}');
    expect(err.message).toMatch(/^cs2-log: not a CS2 log line: expected "L MM\/DD\/YYYY - HH:MM:SS: <message>"/);
    expect(err.at).toBe('line 1');
  });

  it('rejects an impossible date or time', () => {
    expect(parseError(at('20:00:00', 'World triggered "Round_Start"').replace('03/14', '02/30')).at).toBe('line 1');
    expect(parseError('L 13/01/2026 - 20:00:00: World triggered "Round_Start"').message).toContain('with a valid date');
    expect(parseError('L 03/14/2026 - 24:00:00: World triggered "Round_Start"').at).toBe('line 1');
  });

  it('names the bad line among good ones, including a truncated last line', () => {
    expect(parseError(`${at('20:00:00', 'Log file started')}\nhello\n${at('20:00:01', 'Log file closed')}`).at).toBe('line 2');
    expect(parseError(`${at('20:00:00', 'Log file started')}\nL 03/14/2026 - 20:0`).at).toBe('line 2');
  });

  it('rejects an empty body and an oversized one', () => {
    expect(parseError('').message).toContain('empty body');
    expect(parseError(' \r\n\n').message).toContain('empty body');
    expect(parseError(Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 'L')).message).toContain('larger than');
  });

  it('leaves the state it was given untouched when a body is rejected', () => {
    const first = cs2LogAdapter.parse(Buffer.from(liveStart('20:00:00')), cs2LogAdapter.initialState(), ctx());
    const before = JSON.stringify(first.state);
    expect(() => cs2LogAdapter.parse(Buffer.from(`${at('20:00:05', 'World triggered "Round_Start"')}\nnope`), first.state, ctx())).toThrow(ParseError);
    expect(JSON.stringify(first.state)).toBe(before);
  });

  it('ignores unknown lines and event lines cut short after a valid timestamp', () => {
    const log = [liveStart('20:00:00'), at('20:00:10', 'World triggered "Round_Start"', 'Some_Future_Line "x"', `${RED} [0 0 0] killed "blue<3><[U:1:2`, `${RED} [0 0 0] attacked ${BLUE} [1 1 1] with "ak47" (damage "x")`)].join('\n');
    const drafts = run(cs2LogAdapter, [log]);
    expect(drafts.map((d) => d.type)).toEqual(['match.started', 'round.started']);
  });

  it('drops a round_stats block whose end line was lost, and goes on with the next lines', () => {
    const log = [liveStart('20:00:00'), at('20:00:10', 'World triggered "Round_Start"'), at('20:00:30', 'JSON_BEGIN{', '"players" : {', '"player_1" : "11, 3, 800, 0, 0"'), at('20:00:31', `${RED} [0 0 0] killed ${BLUE} [1 1 1] with "awp"`)].join('\n');
    expect(run(cs2LogAdapter, [log]).map((d) => d.type)).toEqual(['match.started', 'round.started', 'player.killed.player']);
  });

  it('does not mistake chat or cvar values for events', () => {
    const log = [
      at('20:00:00', 'server cvars start', `"hostname" = "x<1><BOT><CT>" purchased "ak47"`, 'server cvars end'),
      liveStart('20:00:01'),
      at('20:00:10', `${RED} say "${BLUE} [0 0 0] killed ${RED} [1 1 1] with "awp""`),
    ].join('\n');
    expect(run(cs2LogAdapter, [log]).map((d) => d.type)).toEqual(['match.started']);
  });

  it('reads any message after a valid timestamp during a match: no error, only valid drafts', () => {
    const live = cs2LogAdapter.parse(Buffer.from(`${liveStart('20:00:00')}\n${at('20:00:01', 'World triggered "Round_Start"')}`), cs2LogAdapter.initialState(), ctx()).state;
    const messages = lines(WINGMAN).map((l) => l.slice(25));
    const mutated = fc
      .tuple(fc.constantFrom(...messages), fc.nat(), fc.nat({ max: 8 }), fc.string({ unit: 'grapheme', maxLength: 12 }))
      .map(([m, i, cut, ins]) => m.slice(0, i % (m.length + 1)) + ins + m.slice((i % (m.length + 1)) + cut));
    const message = fc.oneof(mutated, fc.constantFrom(...messages), fc.string({ unit: 'binary', maxLength: 200 }));
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 30 }), (msgs) => {
        const body = msgs.map((m) => at('20:00:02', m.replace(/[\r\n]/g, ' '))).join('\n');
        const out = cs2LogAdapter.parse(Buffer.from(body), live, ctx());
        for (const d of out.drafts) expect(payloadProblems(d.type, d.payload), d.type).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('survives fuzzing: only ParseErrors, valid drafts, bounded state', () => {
    const seeds = [...bodies(WINGMAN, 40), toHttpFormat(bodies(WINGMAN, 25)[5]!), WINGMAN];
    fuzz(cs2LogAdapter, seeds, { maxStateBytes: 256 * 1024 });
  });
});
