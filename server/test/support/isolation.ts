// Per-test-run isolation on shared services: a database of its own, a topic prefix, a key prefix.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const runId = () => randomBytes(4).toString('hex');

/** Creates an empty database on the server of `adminUrl`; returns its URL and a dropper. */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `clutch_t_${runId()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Identifier from our own random hex, never from input.
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
