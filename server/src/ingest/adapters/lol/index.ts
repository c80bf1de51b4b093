// Adapters of this family, registered in ../registry.ts.
import type { Adapter } from '../types.ts';
import { lolLiveClient } from './live-client/adapter.ts';
import { lolLivestats } from './livestats/adapter.ts';
import { lolMatch } from './match-v5/adapter.ts';

export const adapters: Adapter[] = [lolMatch, lolLiveClient, lolLivestats];
