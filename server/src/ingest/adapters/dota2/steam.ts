// Steam Web API IDOTA2Match_570/GetMatchDetails: a finished match's summary, not a timeline — the
// draft, each player's final line, tower and barracks masks, the winner. Accepts the API's
// `{ "result": { … } }` envelope or the bare result object.
import { ParseError } from '../errors.ts';
import type { Adapter, AdapterContext, ParseOutput } from '../types.ts';
import { isObj, obj, optStr, parseJson } from '../util.ts';
import type { DocumentState } from './opendota.ts';
import { endEvents, readMatch, startEvents } from './summary.ts';

const SOURCE = 'steam-match';

export const steamMatch: Adapter<DocumentState> = {
  source: SOURCE,
  title: 'dota2',
  kind: 'document',
  format: 'json',
  description: 'Steam Web API GetMatchDetails (Dota 2): draft, final player lines, winner',
  initialState: () => ({ documents: 0 }),
  parse(payload: Buffer, state: DocumentState, _ctx: AdapterContext): ParseOutput<DocumentState> {
    const root = obj(SOURCE, parseJson(SOURCE, payload), '/');
    const result = isObj(root.result) ? root.result : root;
    // Steam answers errors with 200 and { result: { error: "…" } }.
    const error = optStr(result.error);
    if (error !== undefined) throw new ParseError(SOURCE, `Steam returned an error instead of a match: ${error.slice(0, 200)}`, '/result/error');
    const m = readMatch(SOURCE, result);
    return { state: { documents: state.documents + 1 }, drafts: [...startEvents(m), ...endEvents(m)] };
  },
  finish: (state: DocumentState) => ({ state, drafts: [] }),
};
