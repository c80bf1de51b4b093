// The LoL live model away from minute 10 (docs/predictions.md, "LoL, generalised from minute 10"), on
// the recorded Riot Match-V5 timelines of the shared data (fixtures/lol-riot-api: 9 ranked games,
// one frame a minute): each timeline goes through our adapter, stats and live predictor, and every
// frame's P(blue wins) is scored against the game's winner by band of minutes. Nine games are far
// too few to measure calibration; what this holds is the direction: from minute 6 on, the eventual
// winner is favoured in most frames, more so later. Prints the figures. Skipped, with a message,
// when the shared data is not on this machine.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyStats, newStats } from '@clutch/core';
import { parseFiles } from '../../../src/cli/parse.ts';
import { loadShippedModels } from '../../../src/predict/index.ts';
import { LivePredictor, newPredState } from '../../../src/predict/live.ts';

const dir = join(process.env.CLUTCH_DATA_DIR ?? '/work/shared/data', 'fixtures', 'lol-riot-api');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^match(Timeline_.*|\.timeline)\.json$/.test(f)).sort() : [];
if (!files.length) process.stderr.write(`LoL timeline predictions skipped: no Riot timelines in ${dir} (set CLUTCH_DATA_DIR)\n`);

describe.skipIf(!files.length)('LoL live predictions on recorded Riot timelines', () => {
  it('favour the eventual winner in most frames from minute 6 on, and more often later', async () => {
    const predictor = new LivePredictor(loadShippedModels());
    const frames: Array<{ minute: number; p: number; y: 0 | 1 }> = [];
    for (const f of files) {
      const { events } = await parseFiles('lol-match', [join(dir, f)], { tenant: 'demo', streamId: 's', receivedAt: '2026-03-14T20:00:00.000Z' });
      const end = events.find((e) => e.type === 'match.ended')!;
      const y = (end.payload as { winner?: string }).winner === 'blue' ? 1 : 0;
      const s = newStats('lol', events[0]!.matchId);
      const ps = newPredState();
      for (const e of events) {
        if (e === end) break; // the end sets the winner's probability to 1: not a prediction
        applyStats(s, e);
        for (const p of predictor.observe(s, ps, e) ?? []) {
          if (p.kind === 'live' && e.type === 'team.state') frames.push({ minute: Math.round(s.gameTimeMs / 60_000), p: p.teams.find((t) => t.id === 'blue')!.probability, y });
        }
      }
    }
    const band = (lo: number, hi: number) => {
      const sel = frames.filter((r) => r.minute >= lo && r.minute <= hi);
      const right = sel.filter((r) => (r.p > 0.5 ? 1 : 0) === r.y).length;
      const logloss = -sel.reduce((a, r) => a + Math.log(Math.max(1e-9, r.y ? r.p : 1 - r.p)), 0) / sel.length;
      return { minutes: `${lo}-${hi}`, frames: sel.length, accuracy: Number((right / sel.length).toFixed(3)), logloss: Number(logloss.toFixed(3)) };
    };
    const bands = [band(1, 5), band(6, 10), band(11, 20), band(21, 60)];
    process.stdout.write(`lol live on ${files.length} Riot timelines: ${JSON.stringify(bands)}\n`);
    expect(files.length).toBeGreaterThanOrEqual(5);
    const [early, ten, mid, late] = bands as [ReturnType<typeof band>, ReturnType<typeof band>, ReturnType<typeof band>, ReturnType<typeof band>];
    for (const b of [ten, mid, late]) {
      expect(b.accuracy).toBeGreaterThan(0.75);
      expect(b.logloss).toBeLessThan(Math.log(2)); // better than a coin
    }
    expect(mid.accuracy).toBeGreaterThanOrEqual(early.accuracy);
  });
});
