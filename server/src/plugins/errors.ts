// Coded errors of tenant plugins. Two kinds:
// - refusals of a manifest or bundle (upload time): the tenant fixes the plugin;
// - failures of a call (run time): the plugin broke a limit or the contract. Those in STRIKE_CODES
//   count as strikes against the plugin version; enough strikes in a window disable it.
import { createError } from '../errors.ts';

export const PluginManifestInvalid = createError('CLUTCH_PLUGIN_MANIFEST_INVALID', 'invalid plugin manifest: %s', 422);
export const PluginHostApiUnsupported = createError('CLUTCH_PLUGIN_HOST_API_UNSUPPORTED', 'the plugin asks for host API %s; this host implements %s: rebuild the plugin against a matching SDK', 422);
export const PluginBundleTooLarge = createError('CLUTCH_PLUGIN_BUNDLE_TOO_LARGE', 'the plugin bundle is %d bytes; at most %d are accepted (minify it, drop unused dependencies)', 413);
export const PluginBundleInvalid = createError('CLUTCH_PLUGIN_BUNDLE_INVALID', 'the plugin bundle does not load: %s', 422);

export const PluginTimeout = createError('CLUTCH_PLUGIN_TIMEOUT', 'the plugin ran longer than its limit: %s', 500);
export const PluginMemory = createError('CLUTCH_PLUGIN_MEMORY', 'the plugin went over its memory limit (%s) and was stopped', 500);
export const PluginOutput = createError('CLUTCH_PLUGIN_OUTPUT', 'the plugin produced too much output: %s', 500);
export const PluginCrashed = createError('CLUTCH_PLUGIN_CRASHED', 'the plugin threw: %s', 500);
export const PluginInvalidOutput = createError('CLUTCH_PLUGIN_INVALID_OUTPUT', 'the plugin broke its contract: %s', 500);

export const PluginDisabled = createError('CLUTCH_PLUGIN_DISABLED', 'plugin %s is disabled (%s); upload a fixed version or enable it again', 409);
export const PluginNotFound = createError('CLUTCH_PLUGIN_NOT_FOUND', 'no plugin %s is loaded in this runtime', 404);
export const PluginOverloaded = createError('CLUTCH_PLUGIN_OVERLOADED', 'the plugin runtime has %d calls waiting; retry later', 503);
export const PluginStarved = createError('CLUTCH_PLUGIN_STARVED', 'the host was too busy to run the plugin (%s); not counted against it, retry later', 503);
export const PluginBadCall = createError('CLUTCH_PLUGIN_BAD_CALL', 'invalid plugin call: %s', 400);
export const PluginWorkerRestarted = createError('CLUTCH_PLUGIN_WORKER_RESTARTED', 'the plugin worker was restarted during the call; retry it', 503);
export const PluginRuntimeClosed = createError('CLUTCH_PLUGIN_RUNTIME_CLOSED', 'the plugin runtime is closed', 503);

/** Codes a call can fail with because of the plugin; each is a strike against its version. */
export const STRIKE_CODES = ['CLUTCH_PLUGIN_TIMEOUT', 'CLUTCH_PLUGIN_MEMORY', 'CLUTCH_PLUGIN_OUTPUT', 'CLUTCH_PLUGIN_CRASHED', 'CLUTCH_PLUGIN_INVALID_OUTPUT'] as const;
export type StrikeCode = (typeof STRIKE_CODES)[number];

export function isStrikeCode(code: string): code is StrikeCode {
  return (STRIKE_CODES as readonly string[]).includes(code);
}

/** A plugin failure as it crosses threads: a code and a detail made from strings only. */
export interface PluginFault {
  code: StrikeCode;
  detail: string;
}

const FAULTS = { CLUTCH_PLUGIN_TIMEOUT: PluginTimeout, CLUTCH_PLUGIN_MEMORY: PluginMemory, CLUTCH_PLUGIN_OUTPUT: PluginOutput, CLUTCH_PLUGIN_CRASHED: PluginCrashed, CLUTCH_PLUGIN_INVALID_OUTPUT: PluginInvalidOutput };

/** The coded error for a fault reported by a worker. */
export function faultError(f: PluginFault): Error & { code: StrikeCode } {
  return new FAULTS[f.code](f.detail) as Error & { code: StrikeCode };
}
