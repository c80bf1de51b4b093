// Live matches of every title (or one), refreshed every few seconds over REST, with the latest
// finished ones below. Each row links to the match's live page.
import { useEffect, useState } from 'react';
import { unwrap, type paths } from '@clutch/sdk';
import { api, describeError } from '../api.ts';
import { href } from '../router.ts';
import { TITLES, titleName, type Title } from '../model.ts';

type MatchSummary = paths['/v1/matches']['get']['responses'][200]['content']['application/json']['data'][number];

const REFRESH_MS = 3000;

function useMatches(status: 'live' | 'finished', title: Title | undefined, limit: number) {
  const [state, setState] = useState<{ matches?: MatchSummary[]; error?: string }>({});
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const page = await unwrap(api().GET('/v1/matches', { params: { query: { status, limit, ...(title ? { title } : {}) } } }));
        if (!stop) setState({ matches: page.data });
      } catch (e) {
        if (!stop) setState((s) => ({ ...s, error: describeError(e) }));
      }
      if (!stop) timer = setTimeout(() => void load(), REFRESH_MS);
    };
    setState({});
    void load();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [status, title, limit]);
  return state;
}

export function MatchesPage({ title }: { title?: string }) {
  const known = TITLES.some((t) => t.id === title) ? (title as Title) : undefined;
  const live = useMatches('live', known, 100);
  const finished = useMatches('finished', known, 10);
  return (
    <>
      <div className="page-head">
        <h1>{known ? `${titleName(known)}: live matches` : 'Live matches'}</h1>
        <label className="field">
          <span>Title</span>
          <select
            value={known ?? ''}
            onChange={(e) => {
              location.hash = href.matches(e.target.value || undefined);
            }}
          >
            <option value="">All titles</option>
            {TITLES.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <MatchTable caption="Live now" state={live} empty={known ? `No ${titleName(known)} match is live right now.` : 'No match is live right now.'} testId="live-matches" />
      <MatchTable caption="Recently finished" state={finished} empty="No finished match yet." testId="finished-matches" />
    </>
  );
}

function MatchTable({ caption, state, empty, testId }: { caption: string; state: { matches?: MatchSummary[]; error?: string }; empty: string; testId: string }) {
  return (
    <section aria-labelledby={`${testId}-h`} className="card">
      <h2 id={`${testId}-h`}>{caption}</h2>
      {state.error && (
        <p role="alert" className="error">
          Could not load matches: {state.error}
        </p>
      )}
      {!state.matches && !state.error && <p className="muted">Loading…</p>}
      {state.matches && state.matches.length === 0 && <p className="muted">{empty}</p>}
      {state.matches && state.matches.length > 0 && (
        <div className="table-scroll">
          <table data-testid={testId}>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Match</th>
                <th scope="col" className="num">
                  Score
                </th>
                <th scope="col">Map</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {state.matches.map((m) => (
                <tr key={m.id} data-match-id={m.id}>
                  <td>
                    <span className={`title-badge t-${m.title}`}>{m.title.toUpperCase()}</span>
                  </td>
                  <td>
                    <a href={href.match(m.id)}>
                      {m.teams[0]?.name ?? '?'} vs {m.teams[1]?.name ?? '?'}
                    </a>
                  </td>
                  <td className="num score">
                    {m.teams[0]?.score ?? 0} : {m.teams[1]?.score ?? 0}
                  </td>
                  <td>{m.map ?? '—'}</td>
                  <td>{m.status === 'live' ? <LiveBadge /> : <span className="muted">{m.status}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function LiveBadge() {
  return (
    <span className="live-badge">
      <span aria-hidden="true">●</span> LIVE
    </span>
  );
}
