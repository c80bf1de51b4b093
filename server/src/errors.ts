// Coded errors. Every error Clutch raises on purpose has a stable CLUTCH_* code and an HTTP status;
// messages tell the caller what to do. Each area declares its own errors next to its code with
// createError; the HTTP error handler (api/errors.ts) maps them once.
import fastifyError from '@fastify/error';

export type ClutchErrorCode = `CLUTCH_${string}`;

/** createError with the CLUTCH_ prefix enforced by the type. */
export function createError<C extends ClutchErrorCode>(code: C, message: string, statusCode = 500) {
  return fastifyError(code, message, statusCode);
}

export function isClutchError(err: unknown): err is Error & { code: ClutchErrorCode; statusCode?: number } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('CLUTCH_');
}

// Dependencies (readiness, start-up)
export const DependencyUnavailable = createError('CLUTCH_DEPENDENCY_UNAVAILABLE', '%s', 503);

// Command line: a wrong option or argument.
export const CliUsage = createError('CLUTCH_CLI_USAGE', '%s', 400);
