// pino options: JSON lines with Elastic Common Schema field names (@timestamp, log.level, message,
// service.name, error.*), secrets redacted. Subsystems log through child loggers ({ 'log.logger': … }).
import type { LoggerOptions } from 'pino';
import { stdSerializers } from 'pino';

export function loggerOptions(level: string, service = 'clutch'): LoggerOptions {
  return {
    level,
    messageKey: 'message',
    errorKey: 'error',
    base: { 'service.name': service, 'process.pid': process.pid },
    timestamp: () => `,"@timestamp":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ 'log.level': label }),
    },
    serializers: {
      // Fastify's request line, with secrets carried in the query string blanked: access tokens of
      // the live routes, ingest tokens, and the code and state of a sign-in callback.
      req: (req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({ method: req.method, url: redactQuery(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
      error: (err: Error) => {
        const e = stdSerializers.err(err);
        return { type: e.type, message: e.message, stack_trace: e.stack, code: (err as { code?: string }).code };
      },
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'req.headers["x-csrf-token"]', '*.password', '*.secret', '*.token', 'databaseUrl', 'redisUrl'],
      censor: '[redacted]',
    },
  };
}

const SECRET_PARAMS = /([?&](?:access_token|token|code|state|id_token|client_secret)=)[^&#]*/gi;

/** A URL with the values of secret-bearing query parameters replaced. */
export function redactQuery(url: string | undefined): string | undefined {
  return url?.includes('?') ? url.replace(SECRET_PARAMS, '$1[redacted]') : url;
}
