// lol-match: Riot Match-V5 documents. A match JSON and/or its timeline, in any order; `finish` emits
// what the documents received so far describe, in game order.
import { ParseError } from '../../errors.ts';
import type { Adapter } from '../../types.ts';
import { isObj, parseJson, type Obj } from '../../util.ts';
import { emitAll } from './emit.ts';
import { readMatch } from './match-doc.ts';
import { readTimeline } from './timeline-doc.ts';
import { SOURCE, type MatchState } from './types.ts';

function kindOf(root: Obj): 'match' | 'timeline' {
  const info = isObj(root.info) ? root.info : undefined;
  if (info && Array.isArray(info.frames)) return 'timeline';
  if (info && isObj(root.metadata)) return 'match';
  // Match-V4 (before 2021) had gameId/participantIdentities at the top level; the Worlds 2019 dump
  // (lol-pro/all_games_data.json) is an object of such games keyed by game uuid.
  const first = Object.values(root)[0];
  if (isV4(root) || (isObj(first) && isV4(first))) {
    throw new ParseError(SOURCE, 'this is a legacy Match-V4 document; send Match-V5 (GET /lol/match/v5/matches/{id} and …/timeline)');
  }
  throw new ParseError(SOURCE, 'expected a Match-V5 match JSON ({metadata, info.participants}) or timeline JSON ({metadata, info.frames})');
}

function isV4(o: Obj): boolean {
  return 'participantIdentities' in o || ('gameId' in o && 'teams' in o && !('metadata' in o));
}

export const lolMatch: Adapter<MatchState> = {
  source: 'lol-match',
  title: 'lol',
  kind: 'document',
  format: 'json',
  description:
    'Riot Match-V5 match JSON and/or timeline JSON (either alone, or both in any order): draft, kills, objectives, items, wards, levels, per-minute player and team state, final stats and result',
  initialState: () => ({}),
  parse(payload, state) {
    const root = parseJson(SOURCE, payload);
    if (!isObj(root)) throw new ParseError(SOURCE, 'expected a JSON object');
    const next: MatchState = { ...state };
    if (kindOf(root) === 'timeline') {
      next.timeline = readTimeline(root);
      // A document of another match replaces what was held: one state describes one match.
      if (next.match && next.match.matchId !== next.timeline.matchId) delete next.match;
    } else {
      next.match = readMatch(root);
      if (next.timeline && next.timeline.matchId !== next.match.matchId) delete next.timeline;
    }
    return { state: next, drafts: [] };
  },
  finish(state, ctx) {
    return { state, drafts: emitAll(state, ctx) };
  },
};
