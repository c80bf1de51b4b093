// The match's win probability (docs/predictions.md): a uPlot line per team by seq, the model that
// made it, and the last event that moved it with its win probability added (WPA). Shown only when
// the match has predictions (the server's CLUTCH_PREDICTIONS, on by default).
import { useMemo } from 'react';
import { clock, eventLabel, lastSwing, percent, winProbabilityChart, type LivePrediction, type MatchStatsView } from '../model.ts';
import { LiveChart } from './LiveChart.tsx';

export function WinProbability({ preds, view }: { preds: readonly LivePrediction[]; view: MatchStatsView }) {
  const chart = useMemo(() => winProbabilityChart(preds), [preds]);
  const last = preds.at(-1);
  if (!chart || !last) return null;
  const swing = lastSwing(preds);
  const model = `${last.model.name}@${last.model.version}`;
  const playerName = (id: string | undefined) => (id ? (view.players.find((p) => p.id === id)?.name ?? id) : undefined);
  const teamName = (id: string | undefined) => (id ? (last.teams.find((t) => t.id === id)?.name ?? view.teams.find((t) => t.id === id)?.name ?? id) : undefined);
  return (
    <section className="card chart-card win-prob" aria-label="Win probability" data-testid="win-probability" data-model={model} data-points={preds.length} data-last-seq={last.seq}>
      <LiveChart spec={chart} testId="win-prob-chart" />
      <p className="win-now" data-testid="win-prob-now">
        {last.teams.map((t, i) => (
          <span key={t.id} className={`wp t${i}`} data-team-id={t.id} data-probability={t.probability}>
            {t.name} <strong>{percent(t.probability)}</strong>
          </span>
        ))}
      </p>
      <dl className="facts">
        <div>
          <dt>Model</dt>
          <dd data-testid="win-prob-model">
            <code>{model}</code>
            {last.model.base ? <span className="muted"> (on {last.model.base})</span> : null}
          </dd>
        </div>
        <div>
          <dt>Last swing</dt>
          <dd data-testid="win-prob-swing" data-seq={swing?.seq ?? ''} data-wpa={swing?.event?.wpa ?? ''}>
            {swing?.event ? (
              <>
                {eventLabel(swing.event.type)}
                {swing.event.player ? ` by ${playerName(swing.event.player)}` : ''} at {clock(swing.gameTimeMs)} (seq {swing.seq}):{' '}
                <strong>
                  {swing.event.wpa > 0 ? '+' : '−'}
                  {percent(Math.abs(swing.event.wpa), 1)}
                </strong>{' '}
                WPA for {teamName(swing.event.team)}
              </>
            ) : (
              <span className="muted">No event has moved it yet.</span>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}
