// Adapters of this family, registered in ../registry.ts: CS2 Game State Integration, and the get5 and
// MatchZy match-plugin webhooks (one parser, two source names). CS2 server logs live in ../cs2-log.
import type { Adapter } from '../types.ts';
import { cs2Gsi } from './gsi.ts';
import { get5, matchzy } from './webhook.ts';

export const adapters: Adapter[] = [cs2Gsi, get5, matchzy];
