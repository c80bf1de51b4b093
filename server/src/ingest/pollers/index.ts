// The pollers of the ingest role, built from the configuration: each runs only when its key (if it
// needs one) and its targets are set. Started in the app's onReady, stopped in onClose before the
// ingest stages (docs/sources/pollers.md).
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { PollersConfig } from '../../config.ts';
import type { Cache } from '../../ports/cache.ts';
import type { EventLog } from '../../ports/event-log.ts';
import type { Topics } from '../../topics.ts';
import type { Clock } from './clock.ts';
import { createOpenDotaPoller, createSteamMatchPoller } from './dota.ts';
import { FaceitPoller } from './faceit.ts';
import { createRiotMatchPoller, LiveStatsPoller } from './riot.ts';
import { logSubmitter, type PollerDeps, type PollerMetrics } from './submit.ts';

export interface Poller {
  start(): void;
  stop(): Promise<void>;
}

export interface StartPollersOptions {
  config: PollersConfig;
  eventLog: EventLog;
  topics: Topics;
  cache: Cache;
  log: Logger;
  appendTimeoutMs: number;
  metrics?: Registry;
  clock?: Clock;
  fetch?: typeof fetch;
}

export interface Pollers {
  /** Names of the running pollers. */
  names: string[];
  stop(): Promise<void>;
}

export function pollerMetrics(registry?: Registry): PollerMetrics {
  const registers = registry ? [registry] : [];
  return {
    submitted: new Counter({ name: 'clutch_poller_submitted_total', help: 'Matches or payloads the pollers handed to the event log, by outcome.', labelNames: ['poller', 'outcome'], registers }),
    retries: new Counter({ name: 'clutch_poller_http_retries_total', help: 'HTTP requests of the pollers retried, by reason (429, 5xx, network).', labelNames: ['poller', 'reason'], registers }),
  };
}

/** Builds the configured pollers (none started). */
export function createPollers(o: StartPollersOptions): Map<string, Poller> {
  const c = o.config;
  const submit = logSubmitter({ eventLog: o.eventLog, topics: o.topics, tenant: c.tenant, appendTimeoutMs: o.appendTimeoutMs });
  const metrics = pollerMetrics(o.metrics);
  const deps = (name: string): PollerDeps => ({
    tenant: c.tenant,
    submit,
    cache: o.cache,
    log: o.log.child({ poller: name }),
    metrics,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const out = new Map<string, Poller>();
  if (c.riot.apiKey && c.riot.puuids.length) {
    out.set('riot', createRiotMatchPoller({ ...deps('riot'), apiKey: c.riot.apiKey, region: c.riot.region, baseUrl: c.riot.baseUrl, puuids: c.riot.puuids, intervalMs: c.intervalMs, appLimits: c.riot.appRateLimit }));
  }
  if (c.lolesports.gameIds.length) {
    out.set('lolesports', new LiveStatsPoller({ ...deps('lolesports'), feedUrl: c.lolesports.feedUrl, gameIds: c.lolesports.gameIds }));
  }
  const od = c.opendota;
  if (od.matchIds.length || od.leagueIds.length || od.teamIds.length) {
    out.set('opendota', createOpenDotaPoller({ ...deps('opendota'), baseUrl: od.baseUrl, ...(od.apiKey ? { apiKey: od.apiKey } : {}), matchIds: od.matchIds, leagueIds: od.leagueIds, teamIds: od.teamIds, rateLimits: od.rateLimit, intervalMs: c.intervalMs }));
  }
  if (c.steam.apiKey && c.steam.matchIds.length) {
    out.set('steam', createSteamMatchPoller({ ...deps('steam'), baseUrl: c.steam.baseUrl, apiKey: c.steam.apiKey, matchIds: c.steam.matchIds, rateLimits: c.steam.rateLimit, intervalMs: c.intervalMs }));
  }
  const f = c.faceit;
  if (f.apiKey && (f.matchIds.length || f.championshipIds.length || f.hubIds.length)) {
    out.set('faceit', new FaceitPoller({ ...deps('faceit'), baseUrl: f.baseUrl, apiKey: f.apiKey, matchIds: f.matchIds, championshipIds: f.championshipIds, hubIds: f.hubIds, rateLimits: f.rateLimit, intervalMs: c.intervalMs }));
  }
  return out;
}

/** Starts the configured pollers; stop() waits for each to finish its current request. */
export function startPollers(o: StartPollersOptions): Pollers {
  const pollers = createPollers(o);
  for (const [name, p] of pollers) {
    p.start();
    o.log.info({ poller: name }, 'poller started');
  }
  return {
    names: [...pollers.keys()],
    stop: async () => {
      await Promise.all([...pollers.values()].map((p) => p.stop()));
    },
  };
}
