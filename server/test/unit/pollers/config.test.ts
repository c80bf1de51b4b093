// Poller configuration: optional, validated, secrets never printed, pollers built only when set.
import { describe, expect, it } from 'vitest';
import { DEMO_ENV, describeConfig, loadConfig } from '../../../src/config.ts';
import { createPollers } from '../../../src/ingest/pollers/index.ts';
import { MemoryEventLog } from '../../../src/infra/memory/event-log.ts';
import { topicNames } from '../../../src/topics.ts';
import { memoryCache, silent } from './support.ts';

const build = (env: Record<string, string>) => [...createPollers({ config: loadConfig({ ...DEMO_ENV, ...env }).pollers, eventLog: new MemoryEventLog(), topics: topicNames(''), cache: memoryCache(), log: silent, appendTimeoutMs: 1000 }).keys()];

describe('pollers: configuration', () => {
  it('runs no poller by default, and each one only when its key and targets are set', () => {
    expect(build({})).toEqual([]);
    expect(build({ RIOT_API_KEY: 'RGAPI-x' })).toEqual([]); // a key without PUUIDs
    expect(build({ RIOT_PUUIDS: 'abc' })).toEqual([]); // PUUIDs without a key
    expect(build({ RIOT_API_KEY: 'RGAPI-x', RIOT_PUUIDS: 'abc,def', LOLESPORTS_GAME_IDS: '110852960151230041', OPENDOTA_LEAGUE_IDS: '16935', STEAM_API_KEY: 's', STEAM_MATCH_IDS: '1', FACEIT_API_KEY: 'f', FACEIT_HUB_IDS: 'hub-1' })).toEqual([
      'riot',
      'lolesports',
      'opendota',
      'steam',
      'faceit',
    ]);
  });

  it('parses targets, limits and defaults', () => {
    const p = loadConfig({ ...DEMO_ENV, RIOT_PUUIDS: ' a , b,a ', RIOT_REGION: 'asia', OPENDOTA_RATE_LIMIT: '1200:60', POLL_TENANT: 'acme' }).pollers;
    expect(p.riot).toMatchObject({ puuids: ['a', 'b'], region: 'asia', baseUrl: 'https://asia.api.riotgames.com', appRateLimit: [{ limit: 20, windowMs: 1000 }, { limit: 100, windowMs: 120_000 }] });
    expect(p.opendota.rateLimit).toEqual([{ limit: 1200, windowMs: 60_000 }]);
    expect(p).toMatchObject({ tenant: 'acme', intervalMs: 60_000 });
    expect(loadConfig({ ...DEMO_ENV }).pollers.tenant).toBe('demo');
  });

  it('names malformed poller variables', () => {
    let message = '';
    try {
      loadConfig({ ...DEMO_ENV, RIOT_APP_RATE_LIMIT: '20/1', OPENDOTA_MATCH_IDS: '123,abc', STEAM_API_URL: 'steam', RIOT_REGION: 'mars', POLL_INTERVAL_MS: '10' });
    } catch (err) {
      message = (err as Error).message;
      expect((err as { code: string }).code).toBe('CLUTCH_CONFIG_INVALID');
    }
    expect(message).toContain('RIOT_APP_RATE_LIMIT="20/1" must be requests:seconds');
    expect(message).toContain('OPENDOTA_MATCH_IDS has malformed entries "abc"');
    expect(message).toContain('STEAM_API_URL must be a URL (e.g. https://api.steampowered.com)');
    expect(message).toContain('RIOT_REGION="mars" must be one of americas, europe, asia, sea');
    expect(message).toContain('POLL_INTERVAL_MS=10 must be >= 1000');
  });

  it('never prints an API key when describing itself', () => {
    const text = JSON.stringify(describeConfig(loadConfig({ ...DEMO_ENV, RIOT_API_KEY: 'RGAPI-s3cret', STEAM_API_KEY: 'steam-s3cret', FACEIT_API_KEY: 'faceit-s3cret', OPENDOTA_API_KEY: 'od-s3cret' })));
    expect(text).not.toContain('s3cret');
    expect(text).toContain('(set)');
  });
});
