// Faceit adapters, registered in ../registry.ts: CS2 webhooks and Data API match documents.
import type { Adapter } from '../types.ts';
import { faceit } from './faceit.ts';

export const adapters: Adapter[] = [faceit as Adapter];
