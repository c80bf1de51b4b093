// Win-probability models (issue #9): the shipped models in server/models/, loaded once, and the
// functions the API and the processor call. Pure TypeScript inference, no runtime dependency.
import { readFileSync } from 'node:fs';
import { Model, type Explanation, type ModelFile } from './model.ts';
import { TASKS, type DotaContext, type Task } from './tasks.ts';

export { Model, type Explanation, type ModelFile, type Prediction, type Contribution } from './model.ts';
export { TASKS, isTask, type Task, type Row, type DraftRow, type TableRow } from './tasks.ts';

/** The model version each task ships with. */
export const SHIPPED: Record<Task, string> = {
  'dota2-draft': 'dota2-draft.v2.json',
  'lol-draft': 'lol-draft.v2.json',
  'lol-10min': 'lol-10min.v2.json',
  'cs-round': 'cs-round.v2.json',
};

export const modelsDir = new URL('../../models/', import.meta.url);
const cache = new Map<Task, Model>();

export function loadModel(task: Task): Model {
  let m = cache.get(task);
  if (!m) {
    const file = JSON.parse(readFileSync(new URL(SHIPPED[task], modelsDir), 'utf8')) as ModelFile;
    if (file.format !== 'clutch-model/1' || file.task !== task) throw new Error(`${SHIPPED[task]} is not a ${task} model`);
    cache.set(task, (m = new Model(file)));
  }
  return m;
}

/** Loads every shipped model (call at start-up: a missing or broken model fails early). */
export function loadShippedModels(): Record<Task, Model> {
  return Object.fromEntries(TASKS.map((t) => [t, loadModel(t)])) as Record<Task, Model>;
}

export const DRAFT_LIMITS: Record<'dota2-draft' | 'lol-draft', { maxId: number; unit: string }> = {
  'dota2-draft': { maxId: 113, unit: 'hero' },
  'lol-draft': { maxId: 10_000, unit: 'champion' },
};

export class DraftError extends Error {}

/**
 * Draft what-if: the probability that team 1 wins with these picks (5 per team when complete; a
 * partial draft is accepted and scored on the picks made so far), with its top contributing picks,
 * synergies and match-ups (Dota: with the lobby's context when given). Used by `clutch predict draft` and POST /v1/predict/draft.
 */
export function predictDraft(task: 'dota2-draft' | 'lol-draft', team1: number[], team2: number[], o: { top?: number; model?: Model; ctx?: DotaContext } = {}): Explanation {
  const { maxId, unit } = DRAFT_LIMITS[task];
  const all = [...team1, ...team2];
  for (const id of all) if (!Number.isInteger(id) || id < 1 || id > maxId) throw new DraftError(`${unit} id ${id} is not valid (1..${maxId})`);
  if (new Set(all).size !== all.length) throw new DraftError(`a ${unit} is picked twice`);
  if (team1.length > 5 || team2.length > 5) throw new DraftError('at most 5 picks per team');
  return (o.model ?? loadModel(task)).explain({ y: 0, team1, team2, ...(o.ctx && task === 'dota2-draft' ? { ctx: o.ctx } : {}) }, o.top ?? 10);
}
