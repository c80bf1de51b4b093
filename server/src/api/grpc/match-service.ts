// MatchService: Get, List and ListEvents over the same store and cache as the REST routes
// (GET /v1/matches/{id}, GET /v1/matches, GET /v1/matches/{id}/events).
import { create } from '@bufbuild/protobuf';
import { Code, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import type { LiveSummary } from '@clutch/core';
import type { Logger } from 'pino';
import { GetResponseSchema, ListEventsResponseSchema, ListResponseSchema, MatchService } from '../../gen/clutch/v1/match_pb.ts';
import type { CacheBackend } from '../../ports/cache.ts';
import type { Store } from '../../ports/store.ts';
import { summaryKey } from '../../processing/processor.ts';
import { matchEvents } from '../../store/events.ts';
import { getMatch, queryMatches, type MatchQuery } from '../../store/matches.ts';
import { eventFromJson, matchFromRow, matchFromSummary, statusFromProto, titleFromProto } from './convert.ts';
import { badRequest, rpcError, toRpcError } from './errors.ts';

export interface MatchServiceOptions {
  store: Store;
  cache: CacheBackend;
  tenant: (ctx: HandlerContext) => string;
  log: Logger;
}

/** Ids as the REST routes take them. */
const ID = /^[\w.:@-]{1,128}$/u;
const EVENT_TYPE = /^[a-z0-9_.]{1,64}$/u;
export const LIST_PAGE = { max: 200, default: 50 };
export const EVENTS_PAGE = { max: 5000, default: 1000 };
const MAX_TYPES = 50;

type Problem = { field: string; message: string };

function pageSize(field: string, v: number, page: { max: number; default: number }, problems: Problem[]): number {
  if (v === 0) return page.default;
  if (v < 1 || v > page.max) problems.push({ field, message: `must be 1 to ${page.max} (0: ${page.default})` });
  return v;
}

function checkId(field: string, v: string | undefined, problems: Problem[]): void {
  if (v !== undefined && !ID.test(v)) problems.push({ field, message: 'must be 1 to 128 letters, digits, _ . : @ -' });
}

/** Page tokens: the last match's sort key (keyset pagination, stable under inserts), opaque to the caller. */
export function encodePageToken(startedAt: Date, id: string): string {
  return Buffer.from(JSON.stringify({ s: startedAt.toISOString(), id })).toString('base64url');
}

function decodePageToken(token: string): { startedAt: Date; id: string } {
  const bad = () => rpcError(Code.InvalidArgument, 'CLUTCH_BAD_CURSOR', 'page_token is not one this list gave out; start again without it', [{ field: 'page_token', message: 'not one of ours' }]);
  if (token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const { s, id } = (v ?? {}) as { s?: unknown; id?: unknown };
  const startedAt = typeof s === 'string' ? new Date(s) : undefined;
  if (!startedAt || Number.isNaN(startedAt.getTime()) || typeof id !== 'string') throw bad();
  return { startedAt, id };
}

async function guarded<T>(log: Logger, what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw toRpcError(err, log, what);
  }
}

export function matchService(o: MatchServiceOptions): ServiceImpl<typeof MatchService> {
  return {
    get: (req, ctx) =>
      guarded(o.log, 'MatchService.Get', async () => {
        const problems: Problem[] = [];
        if (!req.id) problems.push({ field: 'id', message: 'required' });
        else checkId('id', req.id, problems);
        if (problems.length) throw badRequest(problems);
        const tenant = o.tenant(ctx);
        // The live summary the processor writes through on every change; the store when it has none.
        const cached = await o.cache.cache.get(summaryKey(tenant, req.id)).catch(() => undefined);
        if (cached) return create(GetResponseSchema, { match: matchFromSummary(JSON.parse(cached) as LiveSummary) });
        const m = await getMatch(o.store.db, tenant, req.id);
        if (!m) throw rpcError(Code.NotFound, 'CLUTCH_MATCH_NOT_FOUND', `no match ${req.id}`);
        return create(GetResponseSchema, { match: matchFromRow(m) });
      }),

    list: (req, ctx) =>
      guarded(o.log, 'MatchService.List', async () => {
        const problems: Problem[] = [];
        const title = titleFromProto(req.title);
        if (title === 'bad') problems.push({ field: 'title', message: `unknown title ${req.title}` });
        const status = statusFromProto(req.status);
        if (status === 'bad') problems.push({ field: 'status', message: `unknown status ${req.status}` });
        checkId('tournament_id', req.tournamentId, problems);
        checkId('series_id', req.seriesId, problems);
        checkId('team_id', req.teamId, problems);
        checkId('player_id', req.playerId, problems);
        const limit = pageSize('page_size', req.pageSize, LIST_PAGE, problems);
        if (problems.length) throw badRequest(problems);
        const after = req.pageToken ? decodePageToken(req.pageToken) : undefined;
        const q: MatchQuery = {
          limit: limit + 1,
          ...(title && title !== 'bad' ? { title } : {}),
          ...(status && status !== 'bad' ? { status } : {}),
          ...(req.tournamentId !== undefined ? { tournament: req.tournamentId } : {}),
          ...(req.seriesId !== undefined ? { series: req.seriesId } : {}),
          ...(req.teamId !== undefined ? { team: req.teamId } : {}),
          ...(req.playerId !== undefined ? { player: req.playerId } : {}),
          ...(after ? { after } : {}),
        };
        const rows = await queryMatches(o.store.db, o.tenant(ctx), q);
        const shown = rows.slice(0, limit);
        const last = shown.at(-1);
        return create(ListResponseSchema, { matches: shown.map(matchFromRow), nextPageToken: rows.length > limit && last ? encodePageToken(last.startedAt, last.id) : '' });
      }),

    listEvents: (req, ctx) =>
      guarded(o.log, 'MatchService.ListEvents', async () => {
        const problems: Problem[] = [];
        if (!req.matchId) problems.push({ field: 'match_id', message: 'required' });
        else checkId('match_id', req.matchId, problems);
        if (req.afterSeq > BigInt(Number.MAX_SAFE_INTEGER)) problems.push({ field: 'after_seq', message: 'too large' });
        const limit = pageSize('page_size', req.pageSize, EVENTS_PAGE, problems);
        if (req.types.length > MAX_TYPES) problems.push({ field: 'types', message: `at most ${MAX_TYPES}` });
        const badType = req.types.find((t) => !EVENT_TYPE.test(t));
        if (badType !== undefined) problems.push({ field: 'types', message: `${JSON.stringify(badType)} is not an event type (e.g. kill, round.ended)` });
        if (problems.length) throw badRequest(problems);
        const tenant = o.tenant(ctx);
        const afterSeq = Number(req.afterSeq);
        const rows = await matchEvents(o.store.db, tenant, req.matchId, { afterSeq, limit: limit + 1, ...(req.types.length ? { types: req.types } : {}) });
        if (!rows.length && afterSeq === 0 && !(await getMatch(o.store.db, tenant, req.matchId))) throw rpcError(Code.NotFound, 'CLUTCH_MATCH_NOT_FOUND', `no match ${req.matchId}`);
        const shown = rows.slice(0, limit);
        return create(ListEventsResponseSchema, { events: shown.map((r) => eventFromJson(r.envelope)), ...(rows.length > limit ? { nextAfterSeq: BigInt(shown.at(-1)!.seq) } : {}) });
      }),
  };
}
