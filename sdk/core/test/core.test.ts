import { describe, expect, it } from 'vitest';
import { applyToSummary, EnvelopeSchema, UUID_V7, uuidv7, uuidv7Time, type Envelope } from '../src/index.ts';
import { Compile } from 'typebox/compile';

describe('uuidv7', () => {
  it('is a valid version-7 UUID carrying its creation time', () => {
    const id = uuidv7(1_764_000_000_123);
    expect(id).toMatch(UUID_V7);
    expect(uuidv7Time(id)).toBe(1_764_000_000_123);
  });

  it('sorts in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => uuidv7(1_764_000_000_000 + Math.floor(i / 100)));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
  });
});

const base = { id: uuidv7(), v: 1 as const, tenant: 't', title: 'lol' as const, source: 'test', matchId: 'm', occurredAt: '2026-11-24T10:00:00.000Z', receivedAt: '2026-11-24T10:00:00.000Z' };
const ev = (seq: number, type: string, payload: Record<string, unknown>): Envelope => ({ ...base, seq, type, payload });
const a = { id: 'a', name: 'A' };
const b = { id: 'b', name: 'B' };

describe('live summary reducer', () => {
  it('counts kills as the score of a MOBA, but not kills of a team-mate', () => {
    let s = applyToSummary(undefined, ev(1, 'match.started', { teams: [a, b] }));
    s = applyToSummary(s, ev(2, 'player.killed.player', { killer: { id: 'p1', name: 'p1', team: 'a' }, victim: { id: 'p2', name: 'p2', team: 'b' } }));
    s = applyToSummary(s, ev(3, 'player.killed.player', { killer: { id: 'p1', name: 'p1', team: 'a' }, victim: { id: 'p3', name: 'p3', team: 'a' } }));
    expect(s.teams.map((t) => t.score)).toEqual([1, 0]);
    expect(s.lastSeq).toBe(3);
  });

  it('returns the same object for an event at or below the last seq', () => {
    const s = applyToSummary(undefined, ev(5, 'match.started', { teams: [a, b] }));
    expect(applyToSummary(s, ev(5, 'match.ended', { winner: 'a', score: [1, 0] }))).toBe(s);
    expect(applyToSummary(s, ev(2, 'match.ended', { winner: 'a', score: [1, 0] }))).toBe(s);
  });

  it('finishes a match with its winner and final score', () => {
    const s = applyToSummary(applyToSummary(undefined, ev(1, 'match.started', { teams: [a, b] })), ev(2, 'match.ended', { winner: 'b', score: [10, 14] }));
    expect(s).toMatchObject({ status: 'finished', winner: 'b', teams: [{ score: 10 }, { score: 14 }] });
  });
});

describe('canonical envelope schema', () => {
  const check = Compile(EnvelopeSchema);
  it('accepts a well-formed event and rejects unknown fields, bad seq and unknown titles', () => {
    const good = ev(1, 'match.started', { teams: [a, b] });
    expect(check.Check(good)).toBe(true);
    expect(check.Check({ ...good, extra: 1 })).toBe(false);
    expect(check.Check({ ...good, seq: 0 })).toBe(false);
    expect(check.Check({ ...good, title: 'chess' })).toBe(false);
    expect(check.Check({ ...good, type: 'Match Started' })).toBe(false);
  });
});

describe('live summary after the end', () => {
  it('keeps the final score when kills arrive after match.ended (a timeline posted after its match document)', () => {
    let s = applyToSummary(undefined, ev(1, 'match.started', { teams: [a, b] }));
    s = applyToSummary(s, ev(2, 'match.ended', { winner: 'a', score: [12, 7] }));
    s = applyToSummary(s, ev(3, 'player.killed.player', { killer: { id: 'p1', name: 'p1', team: 'a' }, victim: { id: 'p2', name: 'p2', team: 'b' } }));
    expect(s.teams.map((t) => t.score)).toEqual([12, 7]);
    expect(s.status).toBe('finished');
  });

  it('does not take a series summary in maps for the score of the map', () => {
    let s = applyToSummary(undefined, { ...ev(1, 'match.started', { teams: [a, b] }), title: 'cs2' });
    s = applyToSummary(s, { ...ev(2, 'round.ended', { round: 1, winner: 'a', score: [1, 0] }), title: 'cs2' });
    s = applyToSummary(s, { ...ev(3, 'match.ended', { winner: 'a', score: [1, 0], scoreUnit: 'maps' }), title: 'cs2' });
    expect(s).toMatchObject({ status: 'finished', winner: 'a', teams: [{ score: 1 }, { score: 0 }] });
  });
});
