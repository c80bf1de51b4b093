// The processor role. It consumes clutch.events.v1 in a consumer group and applies each partition's
// events in order to per-match state:
// - the live summary;
// - the built-in stats (@clutch/core);
// - event-time windows.
//
// Per batch, in this order:
// 1. Tenant plugins: the tenant's active plugins run over each touched match's events of the batch
//    (one call per plugin and match; plugins/host.ts). A failing plugin is a strike and the batch goes
//    on without its outputs. Their values ride in the live delta (`plugins`).
// 1b. Live: each touched match's delta into its Redis history, then pub/sub (live clients), and the
//    live stats view. Applying is deterministic, so a batch applied again after a failure yields the
//    same seqs, which the history and the sessions drop.
// 2. One PostgreSQL transaction writes everything, with last_seq guards: summaries, the stats
//    snapshot and view, per-player/team rows, rosters and entities, windows, plugin outputs and
//    plugin states.
// 3. Redis: the version of the match's cached reads, leaderboards, summaries.
// 4. Stat deltas go to clutch.stats.v1.
// 5. Only then are the offsets committed.
//
// Recovery after a crash or a rebalance: the snapshot in match_stats plus a replay from the committed
// offset. Events at or below the snapshot's seq are skipped, so a replay changes nothing.
import type { Envelope, LiveSummary, MatchStatsView } from '@clutch/core';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { CacheBackend, Contribution } from '../ports/cache.ts';
import type { CommitPosition, EventLog, LogBatch, Subscription } from '../ports/event-log.ts';
import type { Store } from '../ports/store.ts';
import { fromCanonicalValue } from '../events/codec.ts';
import type { MatchPluginResult, PluginHost } from '../plugins/host.ts';
import type { StatValue } from '../plugins/output.ts';
import { writeOutputs, writeStates, type PluginStateRow } from '../store/plugins.ts';
import { loadShippedModels } from '../predict/index.ts';
import type { LivePrediction } from '../predict/live.ts';
import { writePredictions } from '../store/predictions.ts';
import { getMatch, upsertSummaries } from '../store/matches.ts';
import { ensureWindowMonths, entitiesOf, loadSnapshot, upsertEntities, upsertWindowsJson, writeMatchStats, type Entities, type MatchStatsWrite } from '../store/stats.ts';
import { supervise, type SuperviseControl, type Supervised } from '../streams/supervise.ts';
import { MAX_DELTA_PREDICTIONS, type MatchSeed, type PredictionsMode, type Snapshot, type TouchedMatch } from './shard.ts';
import { createShards } from './shards.ts';

export { applyEvent, type MatchProc } from './shard.ts';

export interface ProcessorOptions {
  eventLog: EventLog;
  store: Store;
  cache: CacheBackend;
  /** clutch.events.v1 */
  topic: string;
  /** clutch.stats.v1: stat deltas for downstream consumers (omit to not produce them). */
  statsTopic?: string;
  groupId: string;
  log: Logger;
  metrics?: Registry;
  /** Match states kept in memory (least recently used go first and are reloaded from the store). */
  maxCachedMatches?: number;
  /** Event time behind the latest one within which an event is not late (default 60 s). */
  allowedLatenessMs?: number;
  /** Records per batch taken from the log (bounds memory and transaction size). */
  maxBatchRecords?: number;
  /**
   * Batches in hand at once (default 4): batches of different partitions are applied and written
   * concurrently (38 % more events/s in bench/pipeline than 1), those of one partition in order.
   */
  concurrency?: number;
  /**
   * Worker threads for the CPU-heavy work (decoding, stats, windows, snapshots); partition p's
   * matches live in worker p % workers. 0 runs it on the processor's own thread. Default 1.
   */
  workers?: number;
  /** Recent stat deltas kept per match for resuming live clients (default 1000). */
  historyLength?: number;
  /** Tenant plugins: the active ones run on every batch (omit: none run). */
  plugins?: PluginHost;
  /** Live win probability on every relevant event (docs/predictions.md; CLUTCH_PREDICTIONS). Default on. */
  predictions?: PredictionsMode;
}

export const summaryKey = (tenant: string, matchId: string) => `t:${tenant}:match:${matchId}`;
export const statsKey = (tenant: string, matchId: string) => `t:${tenant}:match:${matchId}:stats`;
/** The seq of the last event whose effect is in the store: the version of the match's cached reads. */
export const seqKey = (tenant: string, matchId: string) => `t:${tenant}:match:${matchId}:seq`;
/** A cached read of a match at a version (seqKey): a new version is a new key, so a write never leaves it stale. */
export const readCacheKey = (tenant: string, matchId: string, what: string, seq: string) => `t:${tenant}:match:${matchId}:read:${what}:${seq}`;
export const liveChannel = (tenant: string) => `t:${tenant}:live:matches`;
/** Recent stat deltas of a match (LiveHistory stream), for resume. */
export const historyKey = (tenant: string, matchId: string) => `t:${tenant}:match:${matchId}:history`;
export const statsChannel = (tenant: string) => `t:${tenant}:live:stats`;
/** The latest win-probability prediction of a match (JSON), for live snapshots. */
export const predictionKey = (tenant: string, matchId: string) => `t:${tenant}:match:${matchId}:prediction`;
/** Leaderboard keys: per title, and per tournament within a title. */
export const boardKey = (tenant: string, title: string, stat: string, tournament?: string) => (tournament ? `t:${tenant}:lb:${title}:t:${tournament}:${stat}` : `t:${tenant}:lb:${title}:${stat}`);

/** Stats ranked on leaderboards (per-match values summed per player), from the match view. */
const VIEW_BOARD_STATS = ['kills', 'deaths', 'assists', 'damage'] as const;
/** The same, and win probability added (from the predictions, not the match view). */
export const BOARD_STATS = [...VIEW_BOARD_STATS, 'wpa'] as const;
const DAY_MS = 24 * 3600_000;

/** A stat delta on clutch.stats.v1: the match's stats after a batch, with the windows it changed. */
export interface StatsDelta {
  v: 1;
  tenant: string;
  matchId: string;
  title: string;
  tournamentId?: string;
  /** Seq of the last event applied to the match; the previous delta's seq is fromSeq − 1 unless events were skipped. */
  seq: number;
  /** Seq of the first event of this delta. */
  fromSeq: number;
  /** The last event's time at its source, and when Clutch received it. */
  occurredAt: string;
  receivedAt: string;
  processedAt: string;
  stats: MatchStatsView;
  windows: { minutes: number[]; corrections: number[] };
  /** Values the tenant's active plugins emitted for this batch, by `name@version` (docs/plugins.md). */
  plugins?: Record<string, { values: StatValue[] }>;
  /**
   * Win-probability predictions made on this delta's events, in seq order (docs/predictions.md): the
   * last MAX_DELTA_PREDICTIONS of them (a batch caught up from a backlog may make more; all are stored).
   * Live sends only: not in the clutch.stats.v1 record.
   */
  predictions?: LivePrediction[];
  /** Predictions of this delta's events left out of `predictions` (older ones of a large batch): read them over REST. */
  predictionsOmitted?: number;
}

export type Processor = Supervised;

export async function startProcessor(o: ProcessorOptions): Promise<Processor> {
  const predictions = o.predictions ?? true;
  // The shipped models are read here once to fail at start when one is missing or broken; each shard
  // (worker thread) loads its own copy once.
  if (predictions) loadShippedModels();
  const shards = createShards({ workers: o.workers ?? 1, log: o.log, predictions, ...(o.maxCachedMatches !== undefined ? { maxCachedMatches: o.maxCachedMatches } : {}), ...(o.allowedLatenessMs !== undefined ? { allowedLatenessMs: o.allowedLatenessMs } : {}) });
  let batchIds = 0;
  const historyLength = o.historyLength ?? 1000;
  const concurrency = Math.max(1, o.concurrency ?? 4);
  const registers = o.metrics ? [o.metrics] : [];
  const retries = new Counter({ name: 'clutch_processor_retries_total', help: 'Batches whose write failed and was retried (a dependency was down).', registers });
  const applied = new Counter({ name: 'clutch_processor_events_total', help: 'Canonical events seen by the processor, by outcome.', labelNames: ['outcome'], registers });
  const corrections = new Counter({ name: 'clutch_processor_window_corrections_total', help: 'Windows corrected by late events (behind the watermark).', registers });
  const batchSeconds = new Histogram({ name: 'clutch_processor_batch_seconds', help: 'Time to apply and write one batch.', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers });
  const phaseSeconds = new Histogram({ name: 'clutch_processor_phase_seconds', help: 'Time per batch in each phase: apply (shards, with seeds), live (history and pub/sub), store (the transaction), publish (entities, Redis, stat deltas), commit.', labelNames: ['phase'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers });
  const key = (tenant: string, matchId: string) => `${tenant}\u0000${matchId}`;
  // Entities this process has written (key → name and team), so unchanged ones are not rewritten.
  const known = new Map<string, string>();
  const remember = (k: string, v: string) => {
    known.delete(k);
    known.set(k, v);
    if (known.size > 100_000) known.delete(known.keys().next().value!);
  };

  /** What the store holds for a match the shards have no state for. */
  const seed = async (tenant: string, matchId: string): Promise<MatchSeed> => {
    const [snap, row] = await Promise.all([loadSnapshot(o.store.db, tenant, matchId) as Promise<Snapshot | undefined>, getMatch(o.store.db, tenant, matchId)]);
    const summary: LiveSummary | undefined = row
      ? {
          tenant: row.tenant,
          matchId: row.id,
          title: row.title,
          status: row.status === 'finished' ? 'finished' : 'live',
          teams: row.teams,
          ...(row.map ? { map: row.map } : {}),
          ...(row.winner ? { winner: row.winner } : {}),
          ...(row.tournamentId ? { tournamentId: row.tournamentId } : {}),
          ...(row.seriesId ? { seriesId: row.seriesId } : {}),
          lastSeq: row.lastSeq,
          startedAt: row.startedAt.toISOString(),
          updatedAt: row.updatedAt.toISOString(),
        }
      : undefined;
    return { tenant, matchId, ...(snap ? { snapshot: snap } : {}), ...(summary ? { summary } : {}) };
  };

  /** Applies a batch to the match states (in the shards); returns what changed per match. */
  const apply = async (batch: LogBatch): Promise<TouchedMatch[]> => {
    const id = batchIds++;
    const { missing } = await shards.decode(batch.partition, id, batch.records.map((r) => r.value));
    let seeds: MatchSeed[];
    try {
      seeds = await Promise.all(missing.map((m) => seed(m.tenant, m.matchId)));
    } catch (err) {
      await shards.drop(batch.partition, id).catch(() => {});
      throw err;
    }
    const r = await shards.apply(batch.partition, id, seeds);
    for (const [outcome, n] of Object.entries(r.counts)) if (n) applied.inc({ outcome }, n);
    // The canonical topic only carries validated events; a bad one is logged, counted and skipped.
    for (const bad of r.invalid) {
      const record = batch.records[bad.index]!;
      o.log.error({ error: { message: bad.reason }, partition: record.partition, offset: String(record.offset) }, 'skipping invalid canonical event');
    }
    return r.touched;
  };

  /**
   * Applies a batch and writes it to the store in one transaction. Returns what must follow once that
   * transaction has committed (entities, Redis, stat deltas): every part of it is idempotent, so after
   * a failure it is run again on its own, not recomputed (the states already moved past the batch).
   */
  const write = async (batch: LogBatch): Promise<() => Promise<void>> => {
    const stop = batchSeconds.startTimer();
    const applying = phaseSeconds.startTimer({ phase: 'apply' });
    const list = await apply(batch);
    applying();
    if (!list.length) {
      stop();
      return async () => {};
    }
    // Plugins before the live send: the delta carries their values.
    const plugged = o.plugins ? await runPlugins(o.plugins, batch, list) : [];
    const processedAt = new Date();
    const deltas: StatsDelta[] = list.map((t, i) => {
      const fromPlugins = plugged[i]?.delta;
      const delta: StatsDelta = { v: 1, tenant: t.tenant, matchId: t.matchId, title: t.title, ...(t.tournamentId ? { tournamentId: t.tournamentId } : {}), seq: t.lastSeq, fromSeq: t.fromSeq, occurredAt: t.occurredAt, receivedAt: t.receivedAt, processedAt: processedAt.toISOString(), stats: t.view, windows: t.changes, ...(fromPlugins ? { plugins: fromPlugins } : {}), ...((t.predictions?.count ?? 0) > MAX_DELTA_PREDICTIONS ? { predictionsOmitted: t.predictions!.count - MAX_DELTA_PREDICTIONS } : {}) };
      corrections.inc(delta.windows.corrections.length);
      return delta;
    });
    // Each delta serialised once (its stats, the largest part, once too) for Redis and Kafka alike.
    const jsons = deltas.map((d, i) => {
      const { stats, plugins, predictionsOmitted, ...head } = d;
      const preds = list[i]!.predictions;
      const statsJson = JSON.stringify(stats);
      const start = JSON.stringify(plugins ? { ...head, plugins } : head).slice(0, -1);
      // Kafka's record (clutch.stats.v1) has no predictions; the live one has them, and the latest
      // one alone is kept for snapshots.
      const record = `${start},"stats":${statsJson}}`;
      if (!preds) return { statsJson, json: record, record };
      const latest = preds.latest;
      const json = `${start},"predictions":${preds.live}${predictionsOmitted ? `,"predictionsOmitted":${predictionsOmitted}` : ''},"stats":${statsJson}}`;
      return { statsJson, latest, json, record };
    });
    // Live clients first: the deltas go out before the store write, which is off the live path.
    // Applying is deterministic, so if the write fails and the batch is applied again from the last
    // snapshot, the same seqs come out again: the history refuses them and sessions drop a seq they
    // already sent. A client may see a delta a moment before REST reads have it.
    const sending = phaseSeconds.startTimer({ phase: 'live' });
    await sendLive(deltas, jsons);
    sending();
    let entities: Entities | undefined;
    let pluginStates: PluginStateRow[] = [];
    const storing = phaseSeconds.startTimer({ phase: 'store' });
    if (!o.store.features().timescale) await ensureWindowMonths(o.store.db, list.flatMap((t) => t.rows.months));
    await o.store.db.transaction().execute(async (trx) => {
      await upsertSummaries(trx, list.flatMap((t) => (t.summary ? [t.summary] : [])));
      const writes: MatchStatsWrite[] = list.map((t) => ({
        tenant: t.tenant,
        matchId: t.matchId,
        title: t.title,
        ...(t.tournamentId ? { tournamentId: t.tournamentId } : {}),
        ...(t.seriesId ? { seriesId: t.seriesId } : {}),
        lastSeq: t.lastSeq,
        view: t.view,
        playedAt: new Date(t.startMs),
        updatedAt: processedAt,
        snapshotJson: t.snapshot,
      }));
      const written = await writeMatchStats(trx, writes);
      await upsertWindowsJson(trx, list.flatMap((t) => (written.has(key(t.tenant, t.matchId)) ? [t.rows] : [])), { timescale: o.store.features().timescale });
      // Plugin outputs and states with the match's stats: only for matches this batch moved forward.
      const moved = plugged.flatMap((p, i) => (p && written.has(key(list[i]!.tenant, list[i]!.matchId)) ? [p] : []));
      await writeOutputs(trx, moved.flatMap((p) => p.outputs));
      pluginStates = moved.flatMap((p) => p.states);
      await writeStates(trx, pluginStates);
      // Predictions with the match's stats, for matches this batch moved forward (a replay writes none).
      await writePredictions(trx, list.flatMap((t) => (t.predictions && written.has(key(t.tenant, t.matchId)) ? [t.predictions.rows] : [])));
      entities = entitiesOf(writes);
    });
    storing();
    // Committed: the plugin states are what the next batch of these matches starts from.
    o.plugins?.commit(pluginStates);
    stop();
    const summaries = list.flatMap((t) => (t.summary ? [t.summary] : []));
    const wpas = list.map((t) => t.predictions?.playerWpa);
    return () => publish(entities!, deltas, jsons, summaries, wpas);
  };

  /**
   * Runs the tenant plugins on each touched match (in the order of `list`). The batch's records are
   * decoded again here only for matches with active plugins; the events passed are those the shard
   * applied (seqs fromSeq..lastSeq, increasing), so a replay of events already applied passes none.
   */
  const runPlugins = async (host: PluginHost, batch: LogBatch, list: TouchedMatch[]): Promise<Array<MatchPluginResult | undefined>> => {
    const started = phaseSeconds.startTimer({ phase: 'plugins' });
    try {
      // Which matches have plugins to run (most tenants have none: their events are not decoded again).
      const versions = await Promise.all(
        list.map((t) =>
          host.runnable(t.tenant, t.tournamentId, t.title).catch((err: unknown) => {
            // Reading activations failed (the store is down): the batch goes on without plugins.
            o.log.error({ error: err, matchId: t.matchId }, 'tenant plugins could not run on this batch');
            return [];
          }),
        ),
      );
      const byMatch = new Map<string, Envelope[]>();
      list.forEach((t, i) => {
        if (versions[i]!.length) byMatch.set(t.matchId, []);
      });
      if (!byMatch.size) return [];
      for (const r of batch.records) {
        const evs = byMatch.get(r.key);
        if (!evs) continue;
        let e: Envelope;
        try {
          e = fromCanonicalValue(r.value);
        } catch {
          continue; // logged by apply()
        }
        evs.push(e);
      }
      return await Promise.all(
        list.map(async (t, i) => {
          if (!versions[i]!.length) return undefined;
          let prev = t.fromSeq - 1;
          const events: Envelope[] = [];
          for (const e of byMatch.get(t.matchId) ?? []) {
            if (e.tenant !== t.tenant || e.matchId !== t.matchId || e.seq <= prev || e.seq > t.lastSeq) continue;
            events.push(e);
            prev = e.seq;
          }
          try {
            return await host.run({ tenant: t.tenant, matchId: t.matchId, tournamentId: t.tournamentId, fromSeq: t.fromSeq, lastSeq: t.lastSeq, events }, versions[i]!);
          } catch (err) {
            // Reading states failed (the store is down): the batch goes on without plugins.
            o.log.error({ error: err, matchId: t.matchId }, 'tenant plugins could not run on this batch');
            return undefined;
          }
        }),
      );
    } finally {
      started();
    }
  };

  /** Each delta into its match's history, then onto the tenant's channel (live sessions), and the live stats view. */
  const sendLive = async (deltas: StatsDelta[], jsons: Array<{ json: string; statsJson: string; latest?: string | undefined }>): Promise<void> => {
    await Promise.all(
      deltas.map(async (d, i) => {
        const { json, statsJson, latest } = jsons[i]!;
        await o.cache.cache.set(statsKey(d.tenant, d.matchId), statsJson, DAY_MS);
        if (latest) await o.cache.cache.set(predictionKey(d.tenant, d.matchId), latest, DAY_MS);
        // Recent deltas per match, by seq, for clients that reconnect and resume (duplicates refused).
        // History before publishing: a live subscriber registers, then reads the history, so every
        // delta is in what it read or in what it hears (never in neither).
        await o.cache.liveHistory.append(historyKey(d.tenant, d.matchId), { seq: d.seq, message: json }, { maxLen: historyLength, ttlMs: DAY_MS });
        await o.cache.pubsub.publish(statsChannel(d.tenant), json);
      }),
    );
  };

  const publish = async (entities: Entities, deltas: StatsDelta[], jsons: Array<{ record: string }>, summaries: LiveSummary[], wpas: Array<Record<string, number> | undefined>): Promise<void> => {
    // Players, teams and tournaments are shared with other partitions: written after the match's
    // own rows, outside its transaction, in key order, and only when new or changed since this
    // process last wrote them.
    const fresh = {
      players: entities.players.filter((p) => known.get(`p\u0000${p.tenant}\u0000${p.id}`) !== `${p.name}\u0000${p.teamId ?? ''}`),
      teams: entities.teams.filter((t) => known.get(`t\u0000${t.tenant}\u0000${t.id}`) !== t.name),
      tournaments: entities.tournaments.filter((t) => !known.has(`c\u0000${t.tenant}\u0000${t.id}`)),
    };
    if (fresh.players.length || fresh.teams.length || fresh.tournaments.length) {
      await upsertEntities(o.store.db, fresh);
      for (const p of fresh.players) remember(`p\u0000${p.tenant}\u0000${p.id}`, `${p.name}\u0000${p.teamId ?? ''}`);
      for (const t of fresh.teams) remember(`t\u0000${t.tenant}\u0000${t.id}`, t.name);
      for (const t of fresh.tournaments) remember(`c\u0000${t.tenant}\u0000${t.id}`, '');
    }
    // Leaderboards take each match's value again (a replacement, never an addition).
    const contributions: Contribution[] = [];
    for (const [i, d] of deltas.entries()) {
      const tournament = d.tournamentId;
      for (const p of d.stats.players) {
        for (const stat of VIEW_BOARD_STATS) {
          const value = p[stat];
          if (value === undefined) continue;
          contributions.push({ board: boardKey(d.tenant, d.title, stat), member: p.id, source: d.matchId, value });
          if (tournament) contributions.push({ board: boardKey(d.tenant, d.title, stat, tournament), member: p.id, source: d.matchId, value });
        }
      }
      // Win probability added: the match's running total per player, from the batch's predictions (a
      // batch without any leaves the match's value as it was).
      for (const [player, wpa] of Object.entries(wpas[i] ?? {})) {
        const value = Math.round(wpa * 10_000) / 10_000;
        contributions.push({ board: boardKey(d.tenant, d.title, 'wpa'), member: player, source: d.matchId, value });
        if (tournament) contributions.push({ board: boardKey(d.tenant, d.title, 'wpa', tournament), member: player, source: d.matchId, value });
      }
    }
    await o.cache.leaderboards.set(contributions, 30 * DAY_MS);
    // After the store has the batch: cached reads of the match move to the new version.
    await Promise.all(deltas.map((d) => o.cache.cache.set(seqKey(d.tenant, d.matchId), String(d.seq), DAY_MS)));
    await Promise.all(
      summaries.map(async (sm) => {
        const json = JSON.stringify(sm);
        await o.cache.cache.set(summaryKey(sm.tenant, sm.matchId), json, DAY_MS);
        await o.cache.pubsub.publish(liveChannel(sm.tenant), json);
      }),
    );
    // Consumers of clutch.stats.v1 drop a delta whose seq they have seen (a retry may resend one).
    if (o.statsTopic && deltas.length) {
      await o.eventLog.append(deltas.map((d, i) => ({ topic: o.statsTopic!, key: d.matchId, value: Buffer.from(jsons[i]!.record) })));
    }
  };

  // A failing step (PostgreSQL, Redis or Kafka down) is retried, in order, until it succeeds: nothing
  // is committed past it, and the client's bounded read-ahead holds the log back meanwhile.
  // - The store write failed: the states are dropped, the retry reloads them from the last snapshot
  //   written and applies the batch again.
  // - What follows the write failed: only that is run again (the store already has the batch).
  const applyBatch = async (sub: Subscription, batch: LogBatch, ctl: SuperviseControl): Promise<void> => {
    const last = batch.records[batch.records.length - 1]!;
    const position: CommitPosition = { topic: batch.topic, partition: batch.partition, offset: last.offset + 1n };
    let after: (() => Promise<void>) | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        after ??= await write(batch);
        const publishing = phaseSeconds.startTimer({ phase: 'publish' });
        await after();
        publishing();
        const committing = phaseSeconds.startTimer({ phase: 'commit' });
        await sub.commit([position]);
        committing();
        return;
      } catch (err) {
        if (!after) await shards.clear().catch(() => {});
        // The partition moved to another member, which replays these records from the last commit.
        if ((err as { code?: string }).code === 'CLUTCH_EVENTLOG_NOT_ASSIGNED') return;
        if (ctl.stopping()) throw err;
        retries.inc();
        o.log.warn({ error: err, partition: batch.partition, attempt }, 'applying a batch failed; retrying');
        await ctl.pause(attempt);
      }
    }
  };

  const supervised = await supervise({
    name: 'processor',
    log: o.log,
    subscribe: () =>
      o.eventLog.subscribe({
        groupId: o.groupId,
        topics: [o.topic],
        maxBatchRecords: o.maxBatchRecords ?? 2000,
        // States of partitions that move to another process are dropped; they reload from the store there.
        onRevoked: () => {
          o.plugins?.clearStates();
          return shards.clear();
        },
      }),
    onRestart: () => {
      o.plugins?.clearStates();
      void shards.clear().catch(() => {});
    },
    async consume(sub, ctl) {
      // Partitions are independent (a match lives on one): batches of different partitions are
      // applied and written concurrently, those of one partition strictly in order. At most
      // `concurrency` batches are in hand (queued or running, whatever their partition); beyond that
      // the loop stops pulling, which holds back fetching (bounded read-ahead).
      const chains = new Map<number, Promise<void>>();
      let inFlight = 0;
      const inHand = () => Promise.all(chains.values());
      const settled = new Set<() => void>();
      const oneSettled = () => new Promise<void>((resolve) => settled.add(resolve));
      try {
        const it = sub[Symbol.asyncIterator]();
        for (;;) {
          while (inFlight >= concurrency) await oneSettled();
          const next = await it.next();
          // A batch that arrives after stop() is left uncommitted: the next owner gets it again.
          if (next.done || ctl.stopping()) return;
          const batch = next.value;
          inFlight++;
          // Batches queued behind another of their partition are skipped once stop() was called.
          const work: Promise<void> = (chains.get(batch.partition) ?? Promise.resolve()).then(() => (ctl.stopping() ? undefined : applyBatch(sub, batch, ctl)));
          chains.set(batch.partition, work);
          const done = () => {
            inFlight--;
            if (chains.get(batch.partition) === work) chains.delete(batch.partition);
            for (const wake of settled) wake();
            settled.clear();
          };
          void work.then(
            () => {
              done();
              ctl.succeeded();
            },
            done,
          );
          void ctl.track(inHand()).catch(() => {});
        }
      } finally {
        await inHand();
      }
    },
  });
  return {
    done: supervised.done,
    async stop() {
      await supervised.stop();
      await shards.close();
    },
  };
}
