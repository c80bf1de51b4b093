// definePlugin's types: checked by `npm run typecheck` (the @ts-expect-error lines fail it if a wrong
// stat, subject, value type, event type or capability were accepted); the runtime part is an identity.
import { describe, expect, it } from 'vitest';
import { definePlugin, type Emitted, type PluginEvent } from '../src/index.ts';

const def = definePlugin({
  manifest: {
    name: 'typed',
    version: '1.0.0',
    hostApi: '^1.0.0',
    titles: ['cs2', 'valorant'],
    events: ['round.started', 'player.killed.player'],
    outputs: [
      { stat: 'kills', subject: 'player', type: 'integer' },
      { stat: 'rate', subject: 'team', type: 'number', unit: '%' },
      { stat: 'label', subject: 'match', type: 'string' },
      { stat: 'decided', subject: 'match', type: 'boolean' },
    ],
    capabilities: ['state'],
  },
  plugin: {
    init() {
      return { kills: {} as Record<string, number>, rounds: 0 };
    },
    onEvents(events, state, ctx) {
      for (const e of events) {
        // @ts-expect-error: a subscribed type only (bomb.planted is not in events)
        if (e.type === 'bomb.planted') continue;
        // the event union is narrowed by type; the payload follows
        if (e.type === 'round.started') {
          state.rounds = e.payload.round;
          continue;
        }
        const k = e.payload.killer;
        if (!k) continue;
        state.kills[k.id] = (state.kills[k.id] ?? 0) + 1;
        if (ctx.matchId === 'never') {
          // type checks only (never run)
          // @ts-expect-error: 'kill' is not a declared stat
          ctx.emit({ stat: 'kill', subject: { kind: 'player', id: k.id }, value: 1 });
          // @ts-expect-error: 'kills' is about players, not teams
          ctx.emit({ stat: 'kills', subject: { kind: 'team', id: 'a' }, value: 1 });
          // @ts-expect-error: 'label' is a string
          ctx.emit({ stat: 'label', subject: { kind: 'match' }, value: 3 });
          // @ts-expect-error: the titles are cs2 and valorant
          if (e.title === 'lol') continue;
          // @ts-expect-error: no ctx.log without the log capability
          ctx.log('x');
          // @ts-expect-error: the state is typed by init
          state.other = 1;
        }
        ctx.emit({ stat: 'kills', subject: { kind: 'player', id: k.id }, value: state.kills[k.id]! });
      }
      ctx.emit({ stat: 'decided', subject: { kind: 'match' }, value: state.rounds > 12 });
      ctx.emit({ stat: 'rate', subject: { kind: 'team', id: 't' }, value: 50 });
      return state;
    },
  },
});

definePlugin({
  manifest: { name: 'stateless', version: '1.0.0', hostApi: '^1.0.0', titles: ['lol'], events: ['objective.taken'], outputs: [{ stat: 'n', subject: 'match', type: 'integer' }], capabilities: ['log'] },
  plugin: {
    onEvents(events, state, ctx) {
      ctx.log(events.length, state);
      const o = events[0]?.payload.objective;
      // @ts-expect-error: objective is one of OBJECTIVES
      if (o === 'flag') return;
      ctx.emit({ stat: 'n', subject: { kind: 'match', id: ctx.matchId }, value: events.length });
    },
  },
});

describe('definePlugin', () => {
  it('returns the manifest and plugin unchanged (the shape the build bundles)', () => {
    expect(Object.keys(def)).toEqual(['manifest', 'plugin']);
    expect(def.manifest.outputs.map((o) => o.stat)).toEqual(['kills', 'rate', 'label', 'decided']);
    expect(def.plugin.init!({} as never)).toEqual({ kills: {}, rounds: 0 });
  });

  it('runs as plain JavaScript: onEvents over typed events', () => {
    type M = typeof def.manifest;
    const out: Emitted<M>[] = [];
    const ctx = { matchId: 'm', title: 'cs2' as const, emit: (v: Emitted<M>) => void out.push(v), now: () => 0 };
    const base = { id: '0', v: 1 as const, tenant: 't', title: 'cs2' as const, source: 'x', matchId: 'm', occurredAt: '', receivedAt: '' };
    const events: PluginEvent<M>[] = [
      { ...base, seq: 1, type: 'round.started', payload: { round: 13 } },
      { ...base, seq: 2, type: 'player.killed.player', payload: { killer: { id: 'a', name: 'a' }, victim: { id: 'b', name: 'b' } } },
    ];
    const state = def.plugin.onEvents(events, def.plugin.init!(ctx), ctx);
    expect(state).toEqual({ kills: { a: 1 }, rounds: 13 });
    expect(out).toContainEqual({ stat: 'kills', subject: { kind: 'player', id: 'a' }, value: 1 });
    expect(out).toContainEqual({ stat: 'decided', subject: { kind: 'match' }, value: true });
  });
});
