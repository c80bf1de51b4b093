// @clutch/plugin-sdk: write a tenant stat plugin in TypeScript with types checked against its own
// manifest. `definePlugin({ manifest, plugin })` returns its argument unchanged — the value is in the
// types: `onEvents` receives the canonical envelopes of the subscribed event types and titles only,
// `ctx.emit` accepts only the declared stats (with their subject kind and value type), and `state`
// exists only with the `state` capability (and is typed by what `init` returns).
//
// Build a plugin into the manifest.json + bundle.js the server takes with `npx clutch plugin build`,
// run it over recorded matches with `npx clutch plugin test`, upload it with `npx clutch plugin
// publish` (docs/plugins.md, "Writing a plugin with the SDK"). At run time the SDK is only
// definePlugin (an identity function): the build inlines it, so a bundle needs nothing from the host.
import type { EventType, Title, TypedEvent } from '@clutch/core';

export type { EventType, Title, TypedEvent } from '@clutch/core';

/** The host API version this SDK builds for (docs/plugins.md). */
export const HOST_API = '^1.0.0';

export type SubjectKind = 'player' | 'team' | 'match';
export type StatType = 'number' | 'integer' | 'boolean' | 'string';
export type Capability = 'state' | 'log' | 'random';

export interface OutputDecl {
  readonly stat: string;
  readonly subject: SubjectKind;
  readonly type: StatType;
  readonly unit?: string;
  readonly description?: string;
}

export interface LimitsDecl {
  readonly memoryMiB?: number;
  readonly cpuMsPerCall?: number;
  readonly maxEmitsPerCall?: number;
  readonly maxStateBytes?: number;
  readonly maxLogBytes?: number;
}

/** The manifest, as docs/plugins.md describes it (the server validates it again on upload). */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly hostApi: string;
  readonly description?: string;
  readonly titles: readonly Title[];
  readonly events: readonly EventType[];
  readonly outputs: readonly OutputDecl[];
  readonly capabilities?: readonly Capability[];
  readonly limits?: LimitsDecl;
}

/** The TypeScript type of a declared stat type. */
export type ValueOf<T extends StatType> = T extends 'boolean' ? boolean : T extends 'string' ? string : number;

type EmitOf<O> = O extends OutputDecl
  ? {
      stat: O['stat'];
      subject: O['subject'] extends 'match' ? { kind: 'match'; id?: string } : { kind: O['subject']; id: string };
      value: ValueOf<O['type']>;
    }
  : never;

/** What `ctx.emit` takes for manifest M: one of its declared stats, with its subject kind and value type. */
export type Emitted<M extends Manifest> = EmitOf<M['outputs'][number]>;

/** The declared stat names of manifest M. */
export type StatName<M extends Manifest> = M['outputs'][number]['stat'];

/** An event the plugin receives: one of its subscribed types (payload typed by type), of one of its titles. */
export type PluginEvent<M extends Manifest> = TypedEvent<M['events'][number]> & { title: M['titles'][number] };

type Has<M extends Manifest, C extends Capability> = M['capabilities'] extends readonly (infer X)[] ? (C extends X ? true : false) : false;

/** The frozen ctx of a call: log and random exist only with their capabilities. */
export type PluginContext<M extends Manifest> = {
  readonly matchId: string;
  readonly title: M['titles'][number];
  /** Sends the current value of a declared stat; the host keeps the latest per stat and subject. */
  emit(value: Emitted<M>): void;
  /** The occurredAt of the batch's last event, ms (Date.now() gives the same). */
  now(): number;
} & (Has<M, 'log'> extends true ? { log(...args: unknown[]): void } : unknown) &
  (Has<M, 'random'> extends true ? { random(): number } : unknown);

/** A JSON object: the per-match state the host keeps (capability `state`). */
export type JsonState = { [key: string]: unknown };

/** The plugin object of manifest M with state S. Without the `state` capability there is no state. */
export type PluginImpl<M extends Manifest, S extends JsonState> = Has<M, 'state'> extends true
  ? {
      /** The state of a new match (default `{}`). */
      init?(ctx: PluginContext<M>): S;
      /** A batch of one match's events in seq order; return the new state (or mutate it and return nothing). */
      onEvents(events: ReadonlyArray<PluginEvent<M>>, state: S, ctx: PluginContext<M>): S | void;
    }
  : {
      onEvents(events: ReadonlyArray<PluginEvent<M>>, state: undefined, ctx: PluginContext<M>): void;
    };

export interface PluginDef<M extends Manifest, S extends JsonState> {
  manifest: M;
  plugin: PluginImpl<M, S>;
}

/**
 * Declares a plugin. The manifest is taken as a `const` type, so the events, titles and outputs it
 * lists type `onEvents` and `ctx.emit`. Export the result as the module's default export:
 *
 *   export default definePlugin({ manifest: { ... }, plugin: { init() { ... }, onEvents(events, state, ctx) { ... } } });
 */
export function definePlugin<const M extends Manifest, S extends JsonState = JsonState>(def: { manifest: M; plugin: PluginImpl<M, S> }): PluginDef<M, S> {
  return def;
}
