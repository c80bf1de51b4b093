// Dota 2 pollers of finished matches.
//
// OpenDota (`opendota`): the configured match ids, plus — when leagues or teams are configured — the
// latest professional matches (`GET /api/proMatches`, the newest 100, one request per round whatever
// the number of leagues/teams) whose `leagueid` or team ids match. Each match: `GET
// /api/matches/{id}` (with `api_key` when set). OpenDota parses replays some minutes after a match;
// until `version` is set (or the per-minute `gold_t` exists) the document lacks kills and the
// per-minute lines, so the poller waits for the parse, up to `parseWaitMs` after the match ended,
// then submits what there is. Limits: 60/min and 2000/day by default (free tier), corrected by
// `X-Rate-Limit-Remaining-Minute/-Day`.
//
// Steam (`steam-match`): `IDOTA2Match_570/GetMatchDetails/v1?match_id=&key=` for the configured match
// ids. `{result: {error}}` (not found, not finished) is retried next round. Steam allows 100,000
// calls a day; the poller keeps ≥ 1 s between calls by default.
import type { SourceName } from '../adapters/types.ts';
import { BODY_LIMITS } from '../http.ts';
import { systemClock, type Clock } from './clock.ts';
import { DocumentPoller, type DocumentPollerOptions, type DocumentSource, type Fetched } from './document-poller.ts';
import { PollerBadResponse, upstreamStatus, withDetails } from './errors.ts';
import type { Gate, HttpClient } from './http-client.ts';
import { openDotaGate, SlidingWindowLimiter, windowGate, type RateWindow } from './rate-limits.ts';
import { pollerHttp } from './submit.ts';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMatchId = (id: string) => /^\d{1,20}$/.test(id);

export interface OpenDotaPollerOptions extends DocumentPollerOptions {
  /** Default https://api.opendota.com. */
  baseUrl: string;
  apiKey?: string;
  matchIds: string[];
  leagueIds: string[];
  teamIds: string[];
  /** Default 60:60,2000:86400 (the free tier). */
  rateLimits?: RateWindow[];
  /** How long after a match ended the poller waits for OpenDota's replay parse. Default 1 h. */
  parseWaitMs?: number;
  marginMs?: number;
}

export class OpenDotaSource implements DocumentSource {
  readonly name = 'opendota';
  readonly source: SourceName = 'opendota';
  readonly streamId = 'poller:opendota';
  readonly limiter: SlidingWindowLimiter;
  readonly #gate: Gate;
  readonly #http: HttpClient;
  readonly #clock: Clock;
  readonly #o: OpenDotaPollerOptions;

  constructor(o: OpenDotaPollerOptions) {
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    this.limiter = new SlidingWindowLimiter(o.rateLimits ?? [{ limit: 60, windowMs: 60_000 }, { limit: 2000, windowMs: 86_400_000 }], o.marginMs);
    this.#gate = openDotaGate(this.#clock, this.limiter);
    this.#http = pollerHttp('opendota', o, { keyVar: 'OPENDOTA_API_KEY', maxBytes: BODY_LIMITS.opendota });
  }

  #url(path: string): string {
    const u = `${this.#o.baseUrl.replace(/\/+$/, '')}${path}`;
    return this.#o.apiKey ? `${u}${u.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(this.#o.apiKey)}` : u;
  }

  async list(signal: AbortSignal): Promise<string[]> {
    const ids = this.#o.matchIds.filter(isMatchId);
    if (!this.#o.leagueIds.length && !this.#o.teamIds.length) return ids;
    const res = await this.#http.json(this.#url('/api/proMatches'), { gate: this.#gate, signal });
    if (!Array.isArray(res?.data)) throw withDetails(new PollerBadResponse('opendota /api/proMatches', 'expected a JSON array'), { retryable: false });
    const leagues = new Set(this.#o.leagueIds);
    const teams = new Set(this.#o.teamIds);
    const wanted = res.data
      .filter(isObj)
      .filter((m) => leagues.has(String(m.leagueid)) || teams.has(String(m.radiant_team_id)) || teams.has(String(m.dire_team_id)))
      .map((m) => String(m.match_id))
      .filter(isMatchId)
      .reverse(); // newest first → oldest first
    return [...new Set([...ids, ...wanted])];
  }

  async fetch(id: string, signal: AbortSignal): Promise<Fetched> {
    let res;
    try {
      res = await this.#http.json(this.#url(`/api/matches/${id}`), { gate: this.#gate, signal });
    } catch (err) {
      if (upstreamStatus(err) === 404) return { kind: 'later', reason: 'not known to OpenDota yet (404)', counts: true };
      throw err;
    }
    const m = res?.data;
    if (!isObj(m) || m.match_id === undefined) return { kind: 'later', reason: 'empty response', counts: true };
    const players = Array.isArray(m.players) ? m.players : [];
    const parsed = (m.version !== undefined && m.version !== null) || players.some((p) => isObj(p) && Array.isArray(p.gold_t));
    if (!parsed) {
      const endedAt = (Number(m.start_time) + Number(m.duration)) * 1000;
      const waitMs = this.#o.parseWaitMs ?? 3_600_000;
      if (Number.isFinite(endedAt) && this.#clock.now() - endedAt < waitMs) return { kind: 'later', reason: 'replay not parsed yet', counts: false };
    }
    return { kind: 'submit', bodies: [res!.body] };
  }
}

export function createOpenDotaPoller(o: OpenDotaPollerOptions): DocumentPoller & { source: OpenDotaSource } {
  return new DocumentPoller(new OpenDotaSource(o), o) as DocumentPoller & { source: OpenDotaSource };
}

export interface SteamMatchPollerOptions extends DocumentPollerOptions {
  /** Default https://api.steampowered.com. */
  baseUrl: string;
  apiKey: string;
  matchIds: string[];
  /** Default 1:1,100000:86400 (one call a second, Steam's daily allowance). */
  rateLimits?: RateWindow[];
  marginMs?: number;
}

export class SteamMatchSource implements DocumentSource {
  readonly name = 'steam';
  readonly source: SourceName = 'steam-match';
  readonly streamId = 'poller:steam';
  readonly limiter: SlidingWindowLimiter;
  readonly #gate: Gate;
  readonly #http: HttpClient;
  readonly #o: SteamMatchPollerOptions;

  constructor(o: SteamMatchPollerOptions) {
    this.#o = o;
    this.limiter = new SlidingWindowLimiter(o.rateLimits ?? [{ limit: 1, windowMs: 1000 }, { limit: 100_000, windowMs: 86_400_000 }], o.marginMs);
    this.#gate = windowGate(o.clock ?? systemClock, this.limiter);
    this.#http = pollerHttp('steam', o, { keyVar: 'STEAM_API_KEY', maxBytes: BODY_LIMITS['steam-match'] });
  }

  async list(): Promise<string[]> {
    return this.#o.matchIds.filter(isMatchId);
  }

  async fetch(id: string, signal: AbortSignal): Promise<Fetched> {
    const url = `${this.#o.baseUrl.replace(/\/+$/, '')}/IDOTA2Match_570/GetMatchDetails/v1/?match_id=${id}&key=${encodeURIComponent(this.#o.apiKey)}`;
    const res = await this.#http.json(url, { gate: this.#gate, signal });
    const result = isObj(res?.data) ? (isObj(res.data.result) ? res.data.result : res.data) : undefined;
    if (!result) return { kind: 'later', reason: 'empty response', counts: true };
    if (typeof result.error === 'string') return { kind: 'later', reason: `Steam: ${result.error}`, counts: true };
    return { kind: 'submit', bodies: [res!.body] };
  }
}

export function createSteamMatchPoller(o: SteamMatchPollerOptions): DocumentPoller & { source: SteamMatchSource } {
  return new DocumentPoller(new SteamMatchSource(o), o) as DocumentPoller & { source: SteamMatchSource };
}
