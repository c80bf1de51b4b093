// Tenant stat plugins: the plugin model (manifest.ts, semver.ts), the sandbox (harness.ts, the code
// run inside each isolate; sandbox.ts, one isolate per plugin version; output.ts, the host's check of
// what comes out) and the runtime (pool.ts, worker threads; worker.ts, their entry; runtime.ts, the
// API callers use: load, invoke, strikes, metrics). The contract for plugin authors: docs/plugins.md.
//
// May depend on: @clutch/core (event types, titles), isolated-vm, prom-client, ../errors.ts. Nothing
// here knows about Kafka, the store or HTTP: the processor and the lifecycle API call the runtime.
export * from './errors.ts';
export { HOST_API_VERSION, HOST_LIMITS, MAX_BUNDLE_BYTES, PLUGIN_CAPABILITIES, PluginManifest, manifestProblems, validatePlugin, type ManifestProblem, type PluginCapability, type PluginDefinition, type PluginLimits } from './manifest.ts';
export type { CallOutput, StatValue, StatSubjectKind } from './output.ts';
export { PluginSandbox, type SandboxCall, type SandboxResult, type SandboxSpec } from './sandbox.ts';
export { PluginRuntime, seedOf, type InvokeInput, type InvokeResult, type PluginDisabledEvent, type PluginHandle, type PluginRuntimeOptions, type PluginStatus, type StrikeRecord } from './runtime.ts';
export { satisfies, parseVersion, parseRange, compareVersions } from './semver.ts';
export type { WorkerInfo } from './worker.ts';
