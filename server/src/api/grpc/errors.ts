// Errors of the RPCs: a Connect code, the CLUTCH_* code at the start of the message (readable with
// any gRPC tool) and in an ErrorInfo detail (with one FieldProblem per invalid field).
import { Code, ConnectError } from '@connectrpc/connect';
import type { Logger } from 'pino';
import { ErrorInfoSchema } from '../../gen/clutch/v1/common_pb.ts';
import { isClutchError } from '../../errors.ts';

export function rpcError(code: Code, clutchCode: string, message: string, problems: Array<{ field: string; message: string }> = []): ConnectError {
  return new ConnectError(`${clutchCode}: ${message}`, code, undefined, [{ desc: ErrorInfoSchema, value: { code: clutchCode, problems } }]);
}

/** A bad request: every problem listed (field names as in the .proto). */
export function badRequest(problems: Array<{ field: string; message: string }>): ConnectError {
  return rpcError(Code.InvalidArgument, 'CLUTCH_BAD_REQUEST', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
}

/** The Connect code of an HTTP status, as the REST API would have answered. */
function codeOfStatus(status: number): Code {
  if (status === 400 || status === 422) return Code.InvalidArgument;
  if (status === 401) return Code.Unauthenticated;
  if (status === 403) return Code.PermissionDenied;
  if (status === 404) return Code.NotFound;
  if (status === 409) return Code.FailedPrecondition;
  if (status === 429) return Code.ResourceExhausted;
  if (status === 503) return Code.Unavailable;
  return Code.Internal;
}

/**
 * Any error a handler threw, as the caller should see it: ConnectErrors as they are, coded Clutch
 * errors by their HTTP status (as REST answers them), anything else INTERNAL without internals
 * (logged here), as REST's 500 CLUTCH_INTERNAL.
 */
export function toRpcError(err: unknown, log: Logger, what: string): ConnectError {
  if (err instanceof ConnectError) return err;
  if (isClutchError(err)) return rpcError(codeOfStatus(err.statusCode ?? 500), err.code, err.message);
  log.error({ error: err }, `${what} failed`);
  return rpcError(Code.Internal, 'CLUTCH_INTERNAL', 'internal error; it has been logged');
}
