// The clutch command as a user runs it: help, and clear start-up failures.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/clutch.mjs', import.meta.url));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 30_000 });

describe('clutch CLI', () => {
  it('lists its commands in --help', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['serve', 'demo', 'migrate', 'config']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('stops at start-up naming the missing variable', () => {
    const r = run(['serve'], { REDIS_URL: 'redis://127.0.0.1:1', KAFKA_BROKERS: '127.0.0.1:1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL is required');
    expect(r.stderr).toContain('CLUTCH_CONFIG_INVALID');
  });

  it('stops at start-up naming each service that is down and how to start it', () => {
    const r = run(['serve'], {
      DATABASE_URL: 'postgres://clutch:clutch@127.0.0.1:1/clutch',
      REDIS_URL: 'redis://127.0.0.1:1',
      KAFKA_BROKERS: '127.0.0.1:1',
      STARTUP_TIMEOUT_MS: '500',
      LOG_LEVEL: 'silent',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/postgres is not reachable at 127\.0\.0\.1:1 .*npm run services:up.*DATABASE_URL/);
    expect(r.stderr).toMatch(/redis is not reachable at 127\.0\.0\.1:1 .*REDIS_URL/);
    expect(r.stderr).toMatch(/kafka is not reachable at 127\.0\.0\.1:1 .*KAFKA_BROKERS/);
    expect(r.stderr).toContain('CLUTCH_DEPENDENCY_UNAVAILABLE');
    expect(r.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
  });

  it('rejects an unknown command with the help text', () => {
    const r = run(['launch']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "launch"');
  });
});
