// Win probability over REST (issue #9, docs/predictions.md):
//   GET  /v1/matches/{id}/predictions   the match's predictions (time series), paged by seq
//   POST /v1/predict/draft              draft what-if: P(team 1 wins) from picks, with its top inputs
import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Store } from '../ports/store.ts';
import { DraftError, loadModel, predictDraft } from '../predict/index.ts';
import { getMatch } from '../store/matches.ts';
import { matchPredictions } from '../store/predictions.ts';
import { ErrorBody, sendError } from './errors.ts';
import { Id } from './matches.ts';
import { LimitParam } from './paging.ts';

export interface PredictionsApiOptions {
  store: Store;
  tenant: (req: unknown) => string;
}

const Input = Type.Object({ feature: Type.String(), label: Type.String(), value: Type.Number(), contribution: Type.Number({ description: "Contribution to the model's logit (positive: towards `towards`)." }) });

export const PredictionSchema = Type.Object(
  {
    seq: Type.Integer({ description: 'The event after which it was computed.' }),
    kind: Type.Union([Type.Literal('live'), Type.Literal('draft')]),
    occurredAt: Type.String({ format: 'date-time' }),
    gameTimeMs: Type.Number(),
    model: Type.Object({ name: Type.String(), version: Type.String(), base: Type.Optional(Type.String({ description: 'The shipped model underneath (`<task>.v<N>`).' })) }),
    teams: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), probability: Type.Number({ minimum: 0, maximum: 1 }) }), { description: "Each team's probability of winning the match, in the match's team order (sum 1)." }),
    round: Type.Optional(Type.Object({ number: Type.Integer(), ctTeam: Type.String(), probabilityCt: Type.Number() }, { description: 'Shooters: P(the CT / defending side wins the round being played, or the next one).' })),
    explanation: Type.Object({ towards: Type.String(), inputs: Type.Array(Input) }),
    event: Type.Optional(Type.Object({ seq: Type.Integer(), type: Type.String(), player: Type.Optional(Type.String()), team: Type.Optional(Type.String()), wpa: Type.Number({ description: 'Win probability added to `team` by this event.' }) })),
    playerWpa: Type.Optional(Type.Record(Type.String(), Type.Number(), { description: 'Win probability added per player so far (the sum of event.wpa over the events they made): on the match\'s last prediction (match.ended) and on the latest one in live snapshots.' })),
  },
  { description: 'A win-probability prediction (docs/predictions.md).' },
);

const DraftIds = Type.Array(Type.Integer({ minimum: 1, maximum: 100_000 }), { minItems: 0, maxItems: 5, description: 'Hero ids (Dota 2, 1–113) or champion ids (LoL), at most 5.' });

const predictions: FastifyPluginAsyncTypebox<PredictionsApiOptions> = async (app, opts) => {
  // The draft models, loaded once at start-up (a missing one fails here, not on the first request).
  loadModel('dota2-draft');
  loadModel('lol-draft');
  app.get(
    '/v1/matches/:id/predictions',
    {
      schema: {
        summary: "A match's win-probability predictions",
        description: 'The time series the processor stored (one prediction per relevant event, plus the draft one), in seq order. Page with `afterSeq` (`next` is the last seq of a full page; null at the end). Same messages as the live stream (`predictions` of each delta).',
        tags: ['predictions'],
        params: Type.Object({ id: Id }),
        querystring: Type.Object(
          {
            afterSeq: Type.Integer({ minimum: 0, default: 0, description: 'Predictions after this seq.' }),
            limit: LimitParam(1000, 200),
            kind: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('draft')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(PredictionSchema), next: Type.Union([Type.Integer(), Type.Null()]) }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      const q = req.query;
      const rows = await matchPredictions(opts.store.db, tenant, req.params.id, { afterSeq: q.afterSeq, limit: q.limit + 1, ...(q.kind ? { kind: q.kind } : {}) });
      if (!rows.length && q.afterSeq === 0 && !(await getMatch(opts.store.db, tenant, req.params.id))) return sendError(reply, 404, 'CLUTCH_MATCH_NOT_FOUND', `no match ${req.params.id}`);
      const shown = rows.slice(0, q.limit);
      return { data: shown, next: rows.length > q.limit ? shown[shown.length - 1]!.seq : null };
    },
  );

  app.post(
    '/v1/predict/draft',
    {
      schema: {
        summary: 'Draft what-if',
        description: 'P(team 1 wins) from the picks (5 a side when complete; a partial draft is scored on the picks so far), with the top contributing picks, synergies and match-ups (contributions to the logit). Models: dota2-draft (hero ids 1–113) and lol-draft (champion ids); docs/predictions.md for what they know.',
        tags: ['predictions'],
        body: Type.Object(
          {
            task: Type.Union([Type.Literal('dota2-draft'), Type.Literal('lol-draft')]),
            team1: DraftIds,
            team2: DraftIds,
            top: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
            lobby: Type.Optional(
              Type.Object(
                {
                  cluster: Type.Integer({ minimum: 0, maximum: 100_000, description: 'Dota 2 server cluster id (e.g. 133 Europe West, 223 China); mapped to its region.' }),
                  gameMode: Type.Integer({ minimum: 0, maximum: 1000, description: 'Dota 2 game mode id (2 captains mode, 22 ranked all pick…).' }),
                  lobbyType: Type.Integer({ minimum: 0, maximum: 1000, description: 'Dota 2 lobby type id (0 public, 2 tournament, 7 ranked…).' }),
                },
                { additionalProperties: false, description: 'dota2-draft only: where the game is played; the model then adds each hero by region and game mode. Without it, the picks alone.' },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            task: Type.String(),
            model: Type.Object({ name: Type.String(), version: Type.String() }),
            probability: Type.Number({ description: 'P(team 1 wins).' }),
            teams: Type.Array(Type.Object({ team: Type.Integer(), probability: Type.Number() })),
            logit: Type.Number(),
            bias: Type.Number(),
            contributions: Type.Array(Input),
            rest: Type.Number({ description: 'The contributions not listed, summed.' }),
          }),
          400: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const { task, team1, team2, top, lobby } = req.body;
      let ex;
      try {
        if (lobby && task !== 'dota2-draft') throw new DraftError('lobby is for dota2-draft only');
        ex = predictDraft(task, team1, team2, { top, ...(lobby ? { ctx: { cluster: lobby.cluster, mode: lobby.gameMode, type: lobby.lobbyType } } : {}) });
      } catch (err) {
        if (err instanceof DraftError) return sendError(reply, 400, 'CLUTCH_PREDICT_BAD_DRAFT', err.message);
        throw err;
      }
      const m = loadModel(task);
      return {
        task,
        model: { name: task, version: String(m.file.version) },
        probability: ex.probability,
        teams: [
          { team: 1, probability: ex.probability },
          { team: 2, probability: 1 - ex.probability },
        ],
        logit: ex.logit,
        bias: ex.bias,
        contributions: ex.contributions,
        rest: ex.rest,
      };
    },
  );
};

export default predictions;
