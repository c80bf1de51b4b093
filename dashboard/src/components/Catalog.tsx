// Pieces shared by the tournament, team and player pages: a loader hook for one REST call, the
// list of matches (linked to the match, its teams and its tournament), and the stat-history chart
// (GET /v1/{players|teams}/{id}/stats, per day, week or month).
import { useEffect, useId, useMemo, useState } from 'react';
import { unwrap, type paths } from '@clutch/sdk';
import { api, describeError } from '../api.ts';
import { href } from '../router.ts';
import { titleName, type ChartSpec } from '../model.ts';
import { LiveChart } from './LiveChart.tsx';

export type MatchRow = paths['/v1/matches/{id}']['get']['responses'][200]['content']['application/json'];
type History = paths['/v1/players/{id}/stats']['get']['responses'][200]['content']['application/json'];

/** One call's answer: `data` once loaded, `error` when it failed (the API's message and code). */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    let stop = false;
    setState({});
    load().then(
      (data) => !stop && setState({ data }),
      (e: unknown) => !stop && setState({ error: describeError(e) }),
    );
    return () => {
      stop = true;
    };
    // The caller lists what the call depends on.
  }, deps);
  return state;
}

export function Loading({ what, error }: { what: string; error?: string | undefined }) {
  return error ? (
    <section className="card">
      <h1>{what}</h1>
      <p role="alert" className="error">
        {error}
      </p>
      <p>
        <a href={href.matches()}>Back to live matches</a>
      </p>
    </section>
  ) : (
    <p className="muted card" role="status">
      Loading {what.toLowerCase()}…
    </p>
  );
}

const day = (iso: string) => new Date(iso).toLocaleDateString('en-CA', { timeZone: 'UTC' });

/** Matches, newest first: date, title, the teams and score (each team linked), status, tournament. */
export function MatchList({ matches, caption, testId = 'match-list' }: { matches: readonly MatchRow[]; caption: string; testId?: string }) {
  if (!matches.length) return <p className="muted">No match yet.</p>;
  return (
    <div className="table-scroll">
      <table data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Date (UTC)</th>
            <th scope="col">Match</th>
            <th scope="col">Status</th>
            <th scope="col">Tournament</th>
          </tr>
        </thead>
        <tbody>
          {matches.map((m) => {
            const [a, b] = m.teams;
            return (
              <tr key={m.id} data-match-id={m.id}>
                <td>{day(m.startedAt)}</td>
                <th scope="row">
                  <a href={href.match(m.id)} aria-label={`${a?.name ?? '?'} ${a?.score ?? 0} – ${b?.score ?? 0} ${b?.name ?? '?'}, ${titleName(m.title)}`}>
                    {a?.name ?? '?'} {a?.score ?? 0} – {b?.score ?? 0} {b?.name ?? '?'}
                  </a>
                  <span className="muted"> · {titleName(m.title)}</span>
                </th>
                <td>{m.status === 'live' ? <span className="live-badge">LIVE</span> : m.status}</td>
                <td>{m.tournamentId ? <a href={href.tournament(m.tournamentId)}>{m.tournamentId}</a> : <span className="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const BUCKETS = [
  { id: 'day', label: 'Day', days: 30, span: 'the last 30 days' },
  { id: 'week', label: 'Week', days: 182, span: 'the last 26 weeks' },
  { id: 'month', label: 'Month', days: 395, span: 'the last 13 months' },
] as const;
type Bucket = (typeof BUCKETS)[number]['id'];

const COLORS = ['#5aa9ff', '#ff6b6b', '#7bd88f', '#c9ccd3'];

/** Kills, deaths and assists (and games) per bucket, as a uPlot chart and a table. */
export function HistoryChart({ kind, id }: { kind: 'players' | 'teams'; id: string }) {
  const [bucket, setBucket] = useState<Bucket>('month');
  const b = BUCKETS.find((x) => x.id === bucket)!;
  const name = useId();
  const { data, error } = useLoad<History>(() => {
    const query = { bucket, from: new Date(Date.now() - b.days * 86_400_000).toISOString() };
    return kind === 'players' ? unwrap(api().GET('/v1/players/{id}/stats', { params: { path: { id }, query } })) : unwrap(api().GET('/v1/teams/{id}/stats', { params: { path: { id }, query } }));
  }, [kind, id, bucket]);
  const spec = useMemo<ChartSpec | undefined>(() => {
    if (!data?.data.length) return undefined;
    const rows = data.data;
    const games = rows.reduce((n, r) => n + r.games, 0);
    return {
      kind: `history:${bucket}`,
      title: `Stats per ${bucket}`,
      description: `Kills, deaths and assists per ${bucket} over ${b.span}: ${games} game${games === 1 ? '' : 's'} in ${rows.length} ${bucket}${rows.length === 1 ? '' : 's'}.`,
      xLabel: bucket === 'day' ? 'Day' : bucket === 'week' ? 'Week (from Monday)' : 'Month',
      yLabel: 'Total',
      xUnit: 'date',
      // The whole period asked for, so that one point is placed in time rather than alone.
      xRange: [Date.parse(data.from) / 1000, Date.parse(data.to) / 1000],
      series: [
        { label: 'Kills', color: COLORS[0]! },
        { label: 'Deaths', color: COLORS[1]! },
        { label: 'Assists', color: COLORS[2]! },
        { label: 'Games', color: COLORS[3]! },
      ],
      data: [rows.map((r) => Date.parse(r.time) / 1000), rows.map((r) => r.kills), rows.map((r) => r.deaths), rows.map((r) => r.assists), rows.map((r) => r.games)],
    };
  }, [data, bucket, b.span]);
  return (
    <section className="card chart-card history" aria-labelledby={`${name}-h`} data-testid="history" data-bucket={bucket} data-points={data?.data.length ?? ''}>
      <h2 id={`${name}-h`}>Stat history</h2>
      <fieldset className="buckets">
        <legend>Per</legend>
        {BUCKETS.map((x) => (
          <label key={x.id}>
            <input type="radio" name={name} value={x.id} checked={bucket === x.id} onChange={() => setBucket(x.id)} /> {x.label}
          </label>
        ))}
      </fieldset>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : !data ? (
        <p className="muted" role="status">
          Loading…
        </p>
      ) : !spec ? (
        <p className="muted" data-testid="history-empty">
          No game over {b.span}.
        </p>
      ) : (
        <>
          <LiveChart spec={spec} testId="history-chart" headingLevel={3} />
          <details>
            <summary>Table</summary>
            <div className="table-scroll">
              <table data-testid="history-table">
                <caption className="sr-only">Stats per {bucket}</caption>
                <thead>
                  <tr>
                    <th scope="col">{bucket === 'day' ? 'Day' : bucket === 'week' ? 'Week from' : 'Month from'}</th>
                    <th scope="col" className="num">
                      Games
                    </th>
                    <th scope="col" className="num">
                      Kills
                    </th>
                    <th scope="col" className="num">
                      Deaths
                    </th>
                    <th scope="col" className="num">
                      Assists
                    </th>
                    <th scope="col" className="num">
                      Damage
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.map((r) => (
                    <tr key={r.time}>
                      <th scope="row">{day(r.time)}</th>
                      <td className="num">{r.games}</td>
                      <td className="num" data-stat="kills">
                        {r.kills}
                      </td>
                      <td className="num">{r.deaths}</td>
                      <td className="num">{r.assists}</td>
                      <td className="num">{r.damage ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
