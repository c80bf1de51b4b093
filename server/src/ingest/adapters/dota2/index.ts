// Dota 2 adapters, registered in ../registry.ts: live GSI states, OpenDota and Steam match documents.
import type { Adapter } from '../types.ts';
import { dota2Gsi } from './gsi.ts';
import { openDota } from './opendota.ts';
import { steamMatch } from './steam.ts';

export const adapters: Adapter[] = [dota2Gsi as Adapter, openDota as Adapter, steamMatch as Adapter];
