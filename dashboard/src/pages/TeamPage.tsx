// A team: roster, stat history (day/week/month), latest matches and head-to-head against an
// opponent (GET /v1/teams/{id}, /v1/teams/{id}/stats, /v1/teams/{id}/head-to-head/{other}). The
// opponent is in the route (#/teams/<id>?vs=<other>), by default the latest one met.
import { unwrap, type paths } from '@clutch/sdk';
import { api } from '../api.ts';
import { href } from '../router.ts';
import { titleName } from '../model.ts';
import { HistoryChart, Loading, MatchList, useLoad } from '../components/Catalog.tsx';

type Team = paths['/v1/teams/{id}']['get']['responses'][200]['content']['application/json'];
type H2H = paths['/v1/teams/{id}/head-to-head/{other}']['get']['responses'][200]['content']['application/json'];

export function TeamPage({ id, vs }: { id: string; vs?: string | undefined }) {
  const { data: t, error } = useLoad<Team>(() => unwrap(api().GET('/v1/teams/{id}', { params: { path: { id } } })), [id]);
  if (!t) return <Loading what={`Team ${id}`} error={error} />;
  const opponents = new Map<string, string>();
  for (const m of t.recentMatches) for (const x of m.teams) if (x.id !== t.id && !opponents.has(x.id)) opponents.set(x.id, x.name);
  const other = vs ?? [...opponents.keys()][0];
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <a href={href.matches()}>Live matches</a> <span aria-hidden="true">›</span> <a href={href.matches(t.title)}>{titleName(t.title)}</a>
      </nav>
      <section className="card" aria-labelledby="team-h" data-testid="team" data-team-id={t.id}>
        <h1 id="team-h">{t.name}</h1>
        <dl className="facts">
          <div>
            <dt>Title</dt>
            <dd>{titleName(t.title)}</dd>
          </div>
          <div>
            <dt>Players</dt>
            <dd>{t.roster.length}</dd>
          </div>
        </dl>
        <h2>Roster</h2>
        {t.roster.length ? (
          <ul className="roster" data-testid="roster">
            {t.roster.map((p) => (
              <li key={p.id}>
                <a href={href.player(p.id)}>{p.name}</a>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No player known yet.</p>
        )}
      </section>
      <HistoryChart kind="teams" id={t.id} />
      <section className="card" aria-labelledby="h2h-h">
        <h2 id="h2h-h">Head-to-head</h2>
        {opponents.size > 0 && (
          <label className="field">
            Opponent
            <select value={other ?? ''} onChange={(e) => (location.hash = href.team(t.id, e.currentTarget.value))}>
              {other && !opponents.has(other) && <option value={other}>{other}</option>}
              {[...opponents].map(([oid, name]) => (
                <option key={oid} value={oid}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        )}
        {other ? <HeadToHead team={t} other={other} otherName={opponents.get(other) ?? other} /> : <p className="muted">No opponent met yet.</p>}
      </section>
      <section className="card" aria-labelledby="team-matches-h">
        <h2 id="team-matches-h">Latest matches</h2>
        <MatchList matches={t.recentMatches} caption={`${t.name}'s latest matches`} />
      </section>
    </>
  );
}

function HeadToHead({ team, other, otherName }: { team: Team; other: string; otherName: string }) {
  const { data: h, error } = useLoad<H2H>(() => unwrap(api().GET('/v1/teams/{id}/head-to-head/{other}', { params: { path: { id: team.id, other } } })), [team.id, other]);
  if (error)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (!h)
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  return (
    <div data-testid="head-to-head" data-played={h.played}>
      <p className="h2h">
        <a href={href.team(team.id)}>{team.name}</a> <strong data-testid="h2h-wins-0">{h.wins[team.id] ?? 0}</strong> – <strong data-testid="h2h-wins-1">{h.wins[other] ?? 0}</strong>{' '}
        <a href={href.team(other)}>{otherName}</a>
        <span className="muted">
          {' '}
          · {h.played} finished match{h.played === 1 ? '' : 'es'}
          {h.draws ? `, ${h.draws} draw${h.draws === 1 ? '' : 's'}` : ''}
        </span>
      </p>
      <MatchList matches={h.matches} caption={`${team.name} against ${otherName}`} testId="h2h-matches" />
    </div>
  );
}
