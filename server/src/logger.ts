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
      error: (err: Error) => {
        const e = stdSerializers.err(err);
        return { type: e.type, message: e.message, stack_trace: e.stack, code: (err as { code?: string }).code };
      },
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', '*.password', '*.secret', '*.token', 'databaseUrl', 'redisUrl'],
      censor: '[redacted]',
    },
  };
}
