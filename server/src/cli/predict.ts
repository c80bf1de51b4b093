// `clutch predict eval --task <task> --file <csv>`: scores the shipped model of a task on a CSV of
// that task's dataset format, streaming (files of any size), and prints one JSON object
// { task, n, accuracy, logloss, brier, auc, ece } on stdout; bad rows are skipped and counted on
// stderr; a file not in the format exits 1 with the reason.
// `clutch predict draft --task dota2-draft|lol-draft --team1 a,b,c,d,e --team2 …`: draft what-if.
import { existsSync } from 'node:fs';
import { readDataset } from '../predict/dataset.ts';
import { DraftError, isTask, loadModel, predictDraft, TASKS, type Model } from '../predict/index.ts';
import { MetricsAccumulator, type Metrics } from '../predict/metrics.ts';
import { FormatError, type Task } from '../predict/tasks.ts';

const USAGE = `usage: clutch predict eval --task <${TASKS.join('|')}> --file <csv>
       clutch predict draft --task <dota2-draft|lol-draft> --team1 <id,id,…> --team2 <id,id,…> [--top N] [--lobby <cluster,game mode,lobby type>]
       clutch predict models`;

export interface EvalResult { task: Task; n: number; accuracy: number; logloss: number; brier: number; auc: number; ece: number }

export async function evaluateFile(model: Model, file: string): Promise<{ result: EvalResult; bad: number; errors: string[] }> {
  const acc = new MetricsAccumulator();
  const stats = await readDataset(model.task, file, (r) => acc.add(model.predict(r).probability, r.y));
  const m: Metrics = acc.n ? acc.result() : { n: 0, accuracy: NaN, logloss: NaN, brier: NaN, auc: NaN, ece: NaN };
  return { result: { task: model.task, n: m.n, accuracy: m.accuracy, logloss: m.logloss, brier: m.brier, auc: m.auc, ece: m.ece }, bad: stats.bad, errors: stats.errors };
}

const ids = (s: string | undefined, what: string) => {
  if (!s) throw new DraftError(`--${what} is required: comma-separated ids`);
  return s.split(',').filter((x) => x.trim() !== '').map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n)) throw new DraftError(`--${what}: ${JSON.stringify(x)} is not an id`);
    return n;
  });
};

export async function predictCommand(p: string[], o: { task?: string; file?: string; team1?: string; team2?: string; top?: string; lobby?: string }): Promise<number> {
  const err = (l: string) => process.stderr.write(`${l}\n`);
  const action = p[0];
  if (action === 'models') {
    for (const t of TASKS) {
      const m = loadModel(t).file;
      process.stdout.write(`${JSON.stringify({ task: t, name: m.name, version: m.version, kind: m.kind, extractor: m.extractor, selected: m.training.selected, test: m.metrics?.test?.calibrated })}\n`);
    }
    return 0;
  }
  if (action !== 'eval' && action !== 'draft') return err(USAGE), 2;
  if (!isTask(o.task)) return err(`clutch predict: --task must be one of ${TASKS.join(', ')}${o.task ? ` (got ${JSON.stringify(o.task)})` : ''}\n${USAGE}`), 2;
  if (action === 'draft') {
    if (o.task !== 'dota2-draft' && o.task !== 'lol-draft') return err('clutch predict draft: --task must be dota2-draft or lol-draft'), 2;
    try {
      let ctx;
      if (o.lobby !== undefined) {
        const l = ids(o.lobby, 'lobby');
        if (o.task !== 'dota2-draft' || l.length !== 3) throw new DraftError('--lobby is cluster,game mode,lobby type (three ids), for dota2-draft');
        ctx = { cluster: l[0]!, mode: l[1]!, type: l[2]! };
      }
      const e = predictDraft(o.task, ids(o.team1, 'team1'), ids(o.team2, 'team2'), { top: o.top ? Number(o.top) : 10, ...(ctx ? { ctx } : {}) });
      process.stdout.write(`${JSON.stringify({ task: o.task, team1WinProbability: e.probability, logit: e.logit, bias: e.bias, top: e.contributions, rest: e.rest })}\n`);
      return 0;
    } catch (e) {
      if (e instanceof DraftError) return err(`clutch predict draft: ${e.message}`), 2;
      throw e;
    }
  }
  if (!o.file) return err(`clutch predict eval: --file is required\n${USAGE}`), 2;
  if (!existsSync(o.file)) return err(`clutch predict eval: ${o.file}: no such file`), 1;
  try {
    const { result, bad, errors } = await evaluateFile(loadModel(o.task), o.file);
    if (bad) err(`clutch predict eval: ${bad} bad row(s) skipped; first: ${errors.join('; ')}`);
    if (result.n === 0) return err(`clutch predict eval: no valid ${o.task} row in ${o.file}`), 1;
    process.stdout.write(`${JSON.stringify(result)}\n`);
    err(`clutch predict eval: ${result.n} rows scored${bad ? `, ${bad} bad` : ''} with ${loadModel(o.task).file.name}.v${loadModel(o.task).file.version}`);
    return 0;
  } catch (e) {
    if (e instanceof FormatError) return err(`clutch predict eval: ${o.file}: ${e.message}`), 1;
    throw e;
  }
}
