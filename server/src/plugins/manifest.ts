// The plugin model: a manifest (what the plugin is, what it reads, what it writes, what it may use and
// how much) plus one JavaScript bundle. The TypeBox schema below is the single source for validation
// and the TypeScript types; docs/plugins.md describes every field. Validation is strict: unknown
// fields are refused, limits above the host's maxima are refused (not clamped), and the host API
// range must include HOST_API_VERSION.
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { EVENT_TYPES, TITLES, type EventType } from '@clutch/core';
import { PluginBundleTooLarge, PluginHostApiUnsupported, PluginManifestInvalid } from './errors.ts';
import { parseRange, satisfies, VERSION_PATTERN } from './semver.ts';

/** The version of the contract between the host and a bundle (ctx, state, emit): docs/plugins.md. */
export const HOST_API_VERSION = '1.0.0';
export const MAX_BUNDLE_BYTES = 256 * 1024;

/**
 * What a plugin may ask for. Each capability adds something to the sandbox; nothing else exists in it.
 * - `state`: the host keeps a JSON object per match for the plugin, passed in and taken back each call.
 * - `log`: `ctx.log(...)` (and `console.log`), capped per call.
 * - `random`: `ctx.random()` and `Math.random()`, seeded per match and batch (without it both throw).
 */
export const PLUGIN_CAPABILITIES = ['state', 'log', 'random'] as const;
export type PluginCapability = (typeof PLUGIN_CAPABILITIES)[number];

/** Per-call limits: [least, default, most] the host accepts. */
export const HOST_LIMITS = {
  /** Heap of the plugin's isolate, MiB (isolated-vm's limit: a guideline a hostile plugin can exceed 2–3×). */
  memoryMiB: [8, 32, 64],
  /** Run time of one call, ms (isolated-vm's timeout on the call). */
  cpuMsPerCall: [1, 50, 500],
  /** Values emitted by one call. */
  maxEmitsPerCall: [1, 1_000, 10_000],
  /** The state returned by a call, as JSON, bytes. */
  maxStateBytes: [0, 64 * 1024, 1024 * 1024],
  /** Log text kept per call, bytes (beyond it lines are dropped and the result says so). */
  maxLogBytes: [0, 4 * 1024, 16 * 1024],
} as const;
export type PluginLimits = { [K in keyof typeof HOST_LIMITS]: number };

const limit = (k: keyof typeof HOST_LIMITS) => Type.Optional(Type.Integer({ minimum: HOST_LIMITS[k][0], maximum: HOST_LIMITS[k][2] }));

export const StatSubject = Type.Enum(['player', 'team', 'match']);
export const StatType = Type.Enum(['number', 'integer', 'boolean', 'string']);

export const PluginOutput = Type.Object(
  {
    /** The stat's name, unique in the plugin (shown next to the plugin's name and version). */
    stat: Type.String({ pattern: '^[a-z][a-zA-Z0-9_]{0,63}$' }),
    /** What a value is about: a player id, a team id, or the match (id = the match id). */
    subject: StatSubject,
    type: StatType,
    /** Free text for display: "%", "rounds", "gold/min". */
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const PluginManifest = Type.Object(
  {
    /** Lower-case, digits and dashes; with the tenant it names the plugin. */
    name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}[a-z0-9]$' }),
    version: Type.String({ pattern: VERSION_PATTERN, maxLength: 64 }),
    /** The host API versions the bundle works with, as a semver range (`^1.0.0`). */
    hostApi: Type.String({ minLength: 1, maxLength: 256 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    titles: Type.Array(Type.Enum(TITLES), { minItems: 1, maxItems: TITLES.length, uniqueItems: true }),
    /** Canonical event types the plugin receives; others are never passed to it. */
    events: Type.Array(Type.Enum(EVENT_TYPES), { minItems: 1, maxItems: EVENT_TYPES.length, uniqueItems: true }),
    outputs: Type.Array(PluginOutput, { minItems: 1, maxItems: 64 }),
    capabilities: Type.Optional(Type.Array(Type.Enum(PLUGIN_CAPABILITIES), { maxItems: PLUGIN_CAPABILITIES.length, uniqueItems: true })),
    limits: Type.Optional(
      Type.Object(
        {
          memoryMiB: limit('memoryMiB'),
          cpuMsPerCall: limit('cpuMsPerCall'),
          maxEmitsPerCall: limit('maxEmitsPerCall'),
          maxStateBytes: limit('maxStateBytes'),
          maxLogBytes: limit('maxLogBytes'),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PluginManifest = Static<typeof PluginManifest> & { events: EventType[] };
export type PluginOutput = Static<typeof PluginOutput>;

/** A plugin version that passed validation: what the runtime loads. */
export interface PluginDefinition {
  manifest: PluginManifest;
  bundle: string;
  /** The manifest's limits with the host's defaults filled in. */
  limits: PluginLimits;
  capabilities: readonly PluginCapability[];
}

export interface ManifestProblem {
  in: 'manifest' | 'bundle';
  path: string;
  message: string;
}

const checker = Compile(PluginManifest);
const MAX_PROBLEMS = 20;

/** The problems of a manifest, empty when it is valid (schema, unique stat names, host API range). */
export function manifestProblems(manifest: unknown): ManifestProblem[] {
  if (!checker.Check(manifest)) {
    return [...checker.Errors(manifest)].slice(0, MAX_PROBLEMS).map((e) => ({ in: 'manifest', path: e.instancePath, message: e.message }));
  }
  const m = manifest as PluginManifest;
  const problems: ManifestProblem[] = [];
  const seen = new Set<string>();
  for (const [i, o] of m.outputs.entries()) {
    if (seen.has(o.stat)) problems.push({ in: 'manifest', path: `/outputs/${i}/stat`, message: `stat "${o.stat}" is declared twice` });
    seen.add(o.stat);
  }
  if (!parseRange(m.hostApi)) problems.push({ in: 'manifest', path: '/hostApi', message: 'must be a semver range such as ^1.0.0' });
  return problems;
}

/**
 * Validates a manifest and its bundle and fills in the default limits. Throws
 * CLUTCH_PLUGIN_MANIFEST_INVALID (with `details`), CLUTCH_PLUGIN_HOST_API_UNSUPPORTED or
 * CLUTCH_PLUGIN_BUNDLE_TOO_LARGE. The bundle's syntax and shape are checked when the runtime loads it.
 */
export function validatePlugin(manifest: unknown, bundle: unknown): PluginDefinition {
  const problems = manifestProblems(manifest);
  if (typeof bundle !== 'string' || bundle.length === 0) problems.push({ in: 'bundle', path: '', message: 'must be a non-empty string of JavaScript' });
  if (problems.length) {
    const err = new PluginManifestInvalid(problems.map((p) => `${p.in}${p.path} ${p.message}`).join('; '));
    Object.assign(err, { details: problems });
    throw err;
  }
  const m = manifest as PluginManifest;
  if (!satisfies(HOST_API_VERSION, m.hostApi)) throw new PluginHostApiUnsupported(JSON.stringify(m.hostApi), HOST_API_VERSION);
  const bytes = Buffer.byteLength(bundle as string, 'utf8');
  if (bytes > MAX_BUNDLE_BYTES) throw new PluginBundleTooLarge(bytes, MAX_BUNDLE_BYTES);
  const limits = Object.fromEntries(Object.entries(HOST_LIMITS).map(([k, [, def]]) => [k, m.limits?.[k as keyof PluginLimits] ?? def])) as PluginLimits;
  // A copy: the definition must not change if the caller's object does.
  return { manifest: structuredClone(m), bundle: bundle as string, limits, capabilities: [...(m.capabilities ?? [])] };
}
