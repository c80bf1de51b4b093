import { describe, expect, it } from 'vitest';
import { DEMO_ENV, describeConfig, loadConfig } from '../../src/config.ts';

const prod = { DATABASE_URL: 'postgres://clutch:s3cret@db.internal:5432/clutch', REDIS_URL: 'redis://:pw@cache:6379', KAFKA_BROKERS: 'k1:9092,k2:9092' };

describe('configuration', () => {
  it('starts production with the three service URLs and defaults for the rest', () => {
    const c = loadConfig(prod);
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', eventLog: 'kafka', store: 'postgres', cache: 'redis', roles: ['ingest', 'process', 'api'] });
    expect(c.kafkaBrokers).toEqual(['k1:9092', 'k2:9092']);
  });

  it('names every missing required variable', () => {
    expect(() => loadConfig({})).toThrow(/DATABASE_URL is required[\s\S]*REDIS_URL is required[\s\S]*KAFKA_BROKERS is required/);
    try {
      loadConfig({});
    } catch (err) {
      expect((err as { code: string }).code).toBe('CLUTCH_CONFIG_INVALID');
    }
  });

  it('names each malformed variable and says what it must be', () => {
    const bad = { ...prod, PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'not a url', KAFKA_BROKERS: 'k1', CLUTCH_ROLES: 'api,gpu', DATABASE_POOL_MAX: '0' };
    let message = '';
    try {
      loadConfig(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PORT="eighty" must be an integer');
    expect(message).toContain('LOG_LEVEL="loud" must be one of fatal, error, warn, info, debug, trace, silent');
    expect(message).toContain('DATABASE_URL must be a URL');
    expect(message).toContain('KAFKA_BROKERS="k1" must be host:port');
    expect(message).toContain('CLUTCH_ROLES has unknown entries gpu');
    expect(message).toContain('DATABASE_POOL_MAX=0 must be >= 1');
    expect(message).not.toContain('s3cret');
  });

  it('needs no service URL on embedded adapters', () => {
    const c = loadConfig({ ...DEMO_ENV });
    expect(c).toMatchObject({ eventLog: 'memory', store: 'pglite', cache: 'memory', simulatorMatches: 4 });
  });

  it('never prints secrets when describing itself', () => {
    const text = JSON.stringify(describeConfig(loadConfig(prod)));
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain(':pw@');
    expect(text).toContain('db.internal:5432');
  });
});
