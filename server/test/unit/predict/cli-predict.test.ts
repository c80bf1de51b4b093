// `clutch predict` as a user runs it, on our own fixtures: one JSON object on stdout, bad rows
// counted on stderr, a wrong format refused with a non-zero exit.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TASKS } from '../../../src/predict/tasks.ts';

const bin = fileURLToPath(new URL('../../../bin/clutch.mjs', import.meta.url));
const fixture = (f: string) => fileURLToPath(new URL(`../../fixtures/predict/${f}`, import.meta.url));
const clutch = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, timeout: 60_000 });

describe('clutch predict eval', () => {
  it.each(TASKS)('%s: prints exactly one JSON object with the metrics', (task) => {
    const r = clutch(['predict', 'eval', '--task', task, '--file', fixture(`${task}.csv`)]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['task', 'n', 'accuracy', 'logloss', 'brier', 'auc', 'ece']);
    expect(out.task).toBe(task);
    expect(out.n).toBe(300);
    for (const k of ['accuracy', 'logloss', 'brier', 'auc', 'ece']) expect(typeof out[k]).toBe('number');
    expect(out.accuracy as number).toBeGreaterThanOrEqual(0);
    expect(out.accuracy as number).toBeLessThanOrEqual(1);
  });

  it('skips bad rows and counts them on stderr', () => {
    const r = clutch(['predict', 'eval', '--task', 'lol-10min', '--file', fixture('lol-10min-bad.csv')]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).n).toBe(58);
    expect(r.stderr).toMatch(/3 bad row\(s\) skipped; first: line 22: 3 columns/);
    expect(r.stderr).toMatch(/not a number/);
    expect(r.stderr).toMatch(/blueWins must be 0 or 1/);
  });

  it('refuses a file of another format, an unknown task, a missing file', () => {
    const wrong = clutch(['predict', 'eval', '--task', 'cs-round', '--file', fixture('lol-10min.csv')]);
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/not a cs-round file: the header lacks \d+ column\(s\): time_left/);
    const dota = clutch(['predict', 'eval', '--task', 'dota2-draft', '--file', fixture('lol-draft.csv')]);
    expect(dota.status).toBe(1);
    expect(dota.stderr).toMatch(/not a dota2-draft file: expected 117 comma-separated columns/);
    const task = clutch(['predict', 'eval', '--task', 'chess', '--file', fixture('lol-10min.csv')]);
    expect(task.status).toBe(2);
    expect(task.stderr).toMatch(/--task must be one of dota2-draft, lol-draft, lol-10min, cs-round/);
    const missing = clutch(['predict', 'eval', '--task', 'lol-10min', '--file', fixture('nope.csv')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
  });
});

describe('clutch predict draft', () => {
  it('gives team 1 a win probability and its top contributions', () => {
    const r = clutch(['predict', 'draft', '--task', 'dota2-draft', '--team1', '1,2,3,4,5', '--team2', '6,7,8,9,10', '--top', '4']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { team1WinProbability: number; top: unknown[] };
    expect(out.team1WinProbability).toBeGreaterThan(0);
    expect(out.team1WinProbability).toBeLessThan(1);
    expect(out.top).toHaveLength(4);
    const bad = clutch(['predict', 'draft', '--task', 'dota2-draft', '--team1', '1,2', '--team2', '2']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/picked twice/);
    // The lobby's context (Dota): each hero by region and mode joins the explanation.
    const eu = clutch(['predict', 'draft', '--task', 'dota2-draft', '--team1', '1,2,3,4,5', '--team2', '6,7,8,9,10', '--top', '50', '--lobby', '133,2,2']);
    expect(eu.status, eu.stderr).toBe(0);
    const e = JSON.parse(eu.stdout) as { team1WinProbability: number; top: Array<{ label: string }> };
    expect(e.top.some((c) => c.label === 'hero 1 in region Europe West')).toBe(true);
    expect(e.team1WinProbability).not.toBe(out.team1WinProbability);
    const badLobby = clutch(['predict', 'draft', '--task', 'lol-draft', '--team1', '1', '--team2', '2', '--lobby', '133,2,2']);
    expect(badLobby.status).toBe(2);
    expect(badLobby.stderr).toMatch(/--lobby is cluster,game mode,lobby type/);
  });
});
