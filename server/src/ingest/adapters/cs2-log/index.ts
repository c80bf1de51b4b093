// Adapters of this family, registered in ../registry.ts.
import type { Adapter } from '../types.ts';
import { cs2LogAdapter } from './adapter.ts';

export const adapters: Adapter[] = [cs2LogAdapter as Adapter];
