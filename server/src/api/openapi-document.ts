// The OpenAPI 3.1 document as the server serves it at /openapi.json, built without any service
// (embedded adapters, the routes of every role): `npm run gen` writes it to sdk/client/openapi.json and
// generates the SDK's types from it, so the SDK always matches the routes.
import { pino } from 'pino';
import { buildApp } from '../app.ts';
import { DEMO_ENV, loadConfig } from '../config.ts';
import { createInfra } from '../infra/wiring.ts';

export async function openapiDocument(): Promise<Record<string, unknown>> {
  const config = loadConfig({ ...DEMO_ENV, CLUTCH_ROLES: 'ingest,api', CLUTCH_SIMULATOR_MATCHES: '0', CLUTCH_DEMO_INGEST_TOKENS: 'off', LOG_LEVEL: 'silent', PORT: '0' });
  const logger = pino({ level: 'silent' });
  const infra = await createInfra(config, logger);
  const app = await buildApp({ config, infra, logger });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
