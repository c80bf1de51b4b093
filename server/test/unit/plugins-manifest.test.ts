import { describe, expect, it } from 'vitest';
import { HOST_LIMITS, MAX_BUNDLE_BYTES, manifestProblems, validatePlugin } from '../../src/plugins/manifest.ts';
import { openingDuelsBundle, openingDuelsManifest } from '../plugins/opening-duels.ts';

const good = () => structuredClone(openingDuelsManifest) as Record<string, unknown>;
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('plugin manifest', () => {
  it('accepts a valid manifest and fills in the default limits', () => {
    const def = validatePlugin(openingDuelsManifest, openingDuelsBundle);
    expect(def.limits).toEqual({ memoryMiB: 32, cpuMsPerCall: 50, maxEmitsPerCall: 1000, maxStateBytes: 65536, maxLogBytes: 4096 });
    expect(def.capabilities).toEqual(['state']);
    expect(def.manifest.outputs.map((o) => o.stat)).toEqual(['openingDuels', 'openingWins', 'openingWinRate']);
  });

  it('keeps limits asked for within the host maxima, and copies the manifest', () => {
    const m = { ...good(), limits: { memoryMiB: 64, cpuMsPerCall: 5, maxStateBytes: 0 } };
    const def = validatePlugin(m, 'var plugin = {}');
    expect(def.limits).toMatchObject({ memoryMiB: 64, cpuMsPerCall: 5, maxStateBytes: 0, maxLogBytes: HOST_LIMITS.maxLogBytes[1] });
    (m as unknown as { name: string }).name = 'changed';
    expect(def.manifest.name).toBe('opening-duels');
  });

  // One bad field at a time: each is refused with CLUTCH_PLUGIN_MANIFEST_INVALID and named in details.
  it.each([
    ['name', (m: Record<string, unknown>) => (m.name = 'Opening Duels'), '/name'],
    ['name too long', (m: Record<string, unknown>) => (m.name = 'a'.repeat(65)), '/name'],
    ['version', (m: Record<string, unknown>) => (m.version = '1.0'), '/version'],
    ['version missing', (m: Record<string, unknown>) => delete m.version, ''],
    ['hostApi not a range', (m: Record<string, unknown>) => (m.hostApi = 'latest'), '/hostApi'],
    ['titles empty', (m: Record<string, unknown>) => (m.titles = []), '/titles'],
    ['unknown title', (m: Record<string, unknown>) => (m.titles = ['cs2', 'quake']), '/titles/1'],
    ['duplicate title', (m: Record<string, unknown>) => (m.titles = ['cs2', 'cs2']), '/titles'],
    ['unknown event type', (m: Record<string, unknown>) => (m.events = ['player.killed.player', 'player.teleported']), '/events/1'],
    ['no events', (m: Record<string, unknown>) => (m.events = []), '/events'],
    ['no outputs', (m: Record<string, unknown>) => (m.outputs = []), '/outputs'],
    ['bad stat name', (m: Record<string, unknown>) => ((m.outputs as Record<string, unknown>[])[0]!.stat = 'opening duels'), '/outputs/0/stat'],
    ['bad subject', (m: Record<string, unknown>) => ((m.outputs as Record<string, unknown>[])[0]!.subject = 'round'), '/outputs/0/subject'],
    ['bad type', (m: Record<string, unknown>) => ((m.outputs as Record<string, unknown>[])[0]!.type = 'float'), '/outputs/0/type'],
    ['empty unit', (m: Record<string, unknown>) => ((m.outputs as Record<string, unknown>[])[0]!.unit = ''), '/outputs/0/unit'],
    ['unknown output field', (m: Record<string, unknown>) => ((m.outputs as Record<string, unknown>[])[0]!.color = 'red'), '/outputs/0'],
    ['duplicate stat', (m: Record<string, unknown>) => ((m.outputs as Record<string, unknown>[])[1]!.stat = 'openingDuels'), '/outputs/1/stat'],
    ['unknown capability', (m: Record<string, unknown>) => (m.capabilities = ['state', 'network']), '/capabilities/1'],
    ['memory above the host maximum', (m: Record<string, unknown>) => (m.limits = { memoryMiB: 65 }), '/limits/memoryMiB'],
    ['memory below the minimum', (m: Record<string, unknown>) => (m.limits = { memoryMiB: 4 }), '/limits/memoryMiB'],
    ['cpu above the host maximum', (m: Record<string, unknown>) => (m.limits = { cpuMsPerCall: 10_000 }), '/limits/cpuMsPerCall'],
    ['emits not an integer', (m: Record<string, unknown>) => (m.limits = { maxEmitsPerCall: 1.5 }), '/limits/maxEmitsPerCall'],
    ['unknown limit', (m: Record<string, unknown>) => (m.limits = { threads: 4 }), '/limits'],
    ['unknown field', (m: Record<string, unknown>) => (m.network = true), ''],
  ])('refuses %s', (_what, change, path) => {
    const m = good();
    change(m);
    const problems = manifestProblems(m);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.path)).toContain(path);
    let err: (Error & { code?: string; details?: unknown[] }) | undefined;
    try {
      validatePlugin(m, openingDuelsBundle);
    } catch (e) {
      err = e as typeof err;
    }
    expect(err?.code).toBe('CLUTCH_PLUGIN_MANIFEST_INVALID');
    expect(err?.details?.length).toBeGreaterThan(0);
  });

  it('refuses anything that is not a manifest object', () => {
    for (const m of [null, 42, 'manifest', [], undefined]) expect(codeOf(() => validatePlugin(m, 'var plugin = {}'))).toBe('CLUTCH_PLUGIN_MANIFEST_INVALID');
  });

  it('refuses a host API range this host does not satisfy', () => {
    expect(codeOf(() => validatePlugin({ ...good(), hostApi: '^2.0.0' }, openingDuelsBundle))).toBe('CLUTCH_PLUGIN_HOST_API_UNSUPPORTED');
    expect(codeOf(() => validatePlugin({ ...good(), hostApi: '<1.0.0' }, openingDuelsBundle))).toBe('CLUTCH_PLUGIN_HOST_API_UNSUPPORTED');
    for (const ok of ['^1.0.0', '1.x', '>=1.0.0 <2', '~1.0.0', '1.0.0', '*']) expect(validatePlugin({ ...good(), hostApi: ok }, openingDuelsBundle).manifest.hostApi).toBe(ok);
  });

  it('refuses an empty, non-string or oversized bundle', () => {
    expect(codeOf(() => validatePlugin(good(), ''))).toBe('CLUTCH_PLUGIN_MANIFEST_INVALID');
    expect(codeOf(() => validatePlugin(good(), 42))).toBe('CLUTCH_PLUGIN_MANIFEST_INVALID');
    expect(codeOf(() => validatePlugin(good(), 'x'.repeat(MAX_BUNDLE_BYTES + 1)))).toBe('CLUTCH_PLUGIN_BUNDLE_TOO_LARGE');
    // Bytes, not characters: 100k three-byte characters are 300 KB.
    expect(codeOf(() => validatePlugin(good(), '€'.repeat(100_000)))).toBe('CLUTCH_PLUGIN_BUNDLE_TOO_LARGE');
    expect(validatePlugin(good(), 'x'.repeat(MAX_BUNDLE_BYTES)).bundle.length).toBe(MAX_BUNDLE_BYTES);
  });
});
