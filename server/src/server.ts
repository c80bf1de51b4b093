// Starts the process: config → adapters → wait for dependencies → app → listen → graceful shutdown.
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { waitForDependencies } from './infra/health.ts';
import { createInfra } from './infra/wiring.ts';
import { loggerOptions } from './logger.ts';

export interface Started {
  app: FastifyInstance;
  url: string;
}

export async function startServer(config: Config): Promise<Started> {
  const logger = pino(loggerOptions(config.logLevel));
  const infra = await createInfra(config, logger);
  try {
    await waitForDependencies(infra.dependencies, config.startupTimeoutMs, (down) =>
      logger.warn({ down: down.map((d) => `${d.name}@${d.target}: ${d.error}`) }, 'waiting for dependencies'),
    );
  } catch (err) {
    await infra.close();
    throw err;
  }
  let app: FastifyInstance;
  try {
    app = await buildApp({ config, infra, logger });
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await infra.close();
    throw err;
  }
  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, commit consumers, close clients;
  // after SHUTDOWN_TIMEOUT_MS the process exits anyway. A second signal exits at once.
  closeWithGrace({ delay: config.shutdownTimeoutMs, logger }, async ({ signal, err }) => {
    if (err) logger.error({ error: err }, 'shutting down after an unexpected error');
    else logger.info({ signal }, 'shutting down');
    await app.close();
  });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return { app, url: `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}` };
}
