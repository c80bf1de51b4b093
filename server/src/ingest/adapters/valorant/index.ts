// Valorant adapters, registered in ../registry.ts: Riot VAL-MATCH-V1 match documents.
import type { Adapter } from '../types.ts';
import { valorantMatch } from './match.ts';

export const adapters: Adapter[] = [valorantMatch as Adapter];
