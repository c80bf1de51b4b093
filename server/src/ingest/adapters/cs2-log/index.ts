// Adapters of this family, registered in ../registry.ts. Empty until they are written.
import type { Adapter } from '../types.ts';

export const adapters: Adapter[] = [];
