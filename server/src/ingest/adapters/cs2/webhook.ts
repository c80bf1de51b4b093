// get5 and MatchZy webhooks: JSON bodies POSTed to get5_remote_log_url / matchzy_remote_log_url, one
// event each. MatchZy copies get5's event format, so one parser serves both; the differences it knows
// (matchid type, round numbering, round end reason base, MatchZy's winner.team) are handled in the
// handlers. The senders never retry nor dedupe: every key is a function of the body alone (plus
// counters that only grow), so a body delivered twice is a duplicate.
import { ParseError } from '../errors.ts';
import type { Adapter, AdapterContext, ParseOutput } from '../types.ts';
import { obj, optStr, parseJson } from '../util.ts';
import type { DraftBase } from './common.ts';
import { side } from './common.ts';
import {
  bomb,
  connection,
  flashbang,
  goingLive,
  grenadeDamage,
  grenadeThrown,
  mapResult,
  pause,
  playerDeath,
  roundEnd,
  roundStart,
  type H,
  type Handler,
} from './webhook-events.ts';
import { optCountField, readMatchId, readTeam, teamIndex, type WebhookSource } from './webhook-read.ts';
import { initialWebhookState, learnTeams, mapMem, seriesFor, setStartingSide, type WebhookState } from './webhook-state.ts';

export type { WebhookState } from './webhook-state.ts';

/** Events that become canonical drafts. */
const MAPPED: Record<string, Handler> = {
  going_live: goingLive,
  round_start: roundStart,
  round_end: roundEnd,
  map_result: mapResult,
  player_death: playerDeath,
  bomb_planted: bomb,
  bomb_defused: bomb,
  bomb_exploded: bomb,
  grenade_thrown: grenadeThrown,
  flashbang_detonated: flashbang,
  hegrenade_detonated: grenadeDamage,
  molotov_detonated: grenadeDamage,
  player_connect: connection,
  player_disconnect: connection,
  game_paused: pause,
  game_unpaused: pause,
};

/** Events that emit nothing but are remembered: they name the teams, maps and sides later drafts use. */
const REMEMBERED: Record<string, Handler> = {
  series_start: (h) => {
    learnTeams(h.s, readTeam(h.src, h.body, 'team1'), readTeam(h.src, h.body, 'team2'));
    const n = optCountField(h.src, h.body, 'num_maps');
    if (n !== undefined) h.s.numMaps = n;
    return [];
  },
  map_picked: (h) => {
    const n = optStr(h.body.map_name)?.slice(0, 128);
    if (n) mapMem(h.s, h.map).name = n;
    return [];
  },
  side_picked: (h) => (setStartingSide(h.s, h.map, teamIndex(h.body.team), side(h.body.side)), []),
  // `side` is the side the knife winner chose, not the side that won the knife round.
  knife_won: (h) => (setStartingSide(h.s, h.map, teamIndex(h.body.team), side(h.body.side)), []),
  backup_loaded: (h) => {
    const restore = `${optCountField(h.src, h.body, 'round_number') ?? '-'}:${optStr(h.body.filename)?.slice(0, 128) ?? ''}`;
    if (restore !== h.mm.lastRestore) {
      h.mm.epoch = (h.mm.epoch ?? 0) + 1;
      h.mm.lastRestore = restore;
      delete h.mm.score; // the score went back: the next round_end cannot be diffed against it
    }
    return [];
  },
};

/** Events deliberately not mapped (no canonical type, or nothing a statistic needs); see docs/sources/cs2.md. */
export const UNMAPPED_EVENTS = [
  'series_end', // no series-level event type; each map's match.ended carries the series score in extra
  'map_vetoed', // no map veto/ban type (draft.* is for characters)
  'round_mvp', // no MVP type; the mvps count arrives with round_end's player stats
  'stats_updated', // a signal without data
  'knife_start',
  'pause_began',
  'smokegrenade_detonated',
  'decoygrenade_started',
  'player_say',
  'team_ready_status_changed',
  'game_state_changed',
  'preload_match_config',
  'match_config_load_fail',
  'demo_finished',
  'demo_upload_ended',
] as const;

export const MAPPED_EVENTS = Object.keys(MAPPED);
export const REMEMBERED_EVENTS = Object.keys(REMEMBERED);

/** Highest map number accepted (series are at most Bo9; map numbers start at 0). */
const MAX_MAP_NUMBER = 16;

function parseWith(src: WebhookSource, payload: Buffer, state: WebhookState, ctx: AdapterContext): ParseOutput<WebhookState> {
  const body = obj(src, parseJson(src, payload), '/');
  const event = body.event;
  if (typeof event !== 'string' || !event) throw new ParseError(src, 'missing "event" (the event name)', '/event');
  const handler = MAPPED[event] ?? REMEMBERED[event];
  // Unmapped and unknown (newer plugin) events are accepted and ignored, so the sender gets its 2xx.
  if (!handler) return { state, drafts: [] };
  const matchid = readMatchId(src, body);
  if (!matchid) {
    // get5 reports connections even when no match is loaded: there is no match to attach them to.
    if (event === 'player_connect' || event === 'player_disconnect') return { state, drafts: [] };
    throw new ParseError(src, `${event} without matchid`, '/matchid');
  }
  const next = structuredClone(state);
  const s = seriesFor(next, matchid);
  const map = optCountField(src, body, 'map_number') ?? s.map;
  if (map > MAX_MAP_NUMBER) throw new ParseError(src, `map_number ${map} is beyond a Bo9`, '/map_number');
  const base: DraftBase = { matchId: `${src}-${matchid}-${map}`, seriesId: `${src}-${matchid}`, occurredAt: ctx.receivedAt };
  const h: H = { src, event, body, s, map, mm: mapMem(s, map), base };
  const drafts = handler(h);
  if (drafts.length) s.frozen = true;
  return { state: next, drafts };
}

function webhookAdapter(src: WebhookSource, description: string): Adapter<WebhookState> {
  return {
    source: src,
    title: 'cs2',
    kind: 'stream',
    format: 'json',
    description,
    initialState: initialWebhookState,
    parse: (payload, state, ctx) => parseWith(src, payload, state, ctx),
  };
}

export const get5 = webhookAdapter('get5', 'get5 (CS:GO/CS2 match plugin) webhook events: JSON bodies POSTed to get5_remote_log_url, one event each.');
export const matchzy = webhookAdapter('matchzy', 'MatchZy (CS2 match plugin) webhook events: JSON bodies POSTed to matchzy_remote_log_url, one event each (get5 format).');
