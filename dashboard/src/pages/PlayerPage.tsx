// A player: their team, stat history (day/week/month) and latest matches (GET /v1/players/{id},
// GET /v1/players/{id}/stats).
import { unwrap, type paths } from '@clutch/sdk';
import { api } from '../api.ts';
import { href } from '../router.ts';
import { titleName } from '../model.ts';
import { HistoryChart, Loading, MatchList, useLoad } from '../components/Catalog.tsx';

type Player = paths['/v1/players/{id}']['get']['responses'][200]['content']['application/json'];

export function PlayerPage({ id }: { id: string }) {
  const { data: p, error } = useLoad<Player>(() => unwrap(api().GET('/v1/players/{id}', { params: { path: { id } } })), [id]);
  if (!p) return <Loading what={`Player ${id}`} error={error} />;
  const team = p.recentMatches.flatMap((m) => m.teams).find((t) => t.id === p.teamId);
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <a href={href.matches()}>Live matches</a> <span aria-hidden="true">›</span> <a href={href.matches(p.title)}>{titleName(p.title)}</a>
        {p.teamId ? (
          <>
            {' '}
            <span aria-hidden="true">›</span> <a href={href.team(p.teamId)}>{team?.name ?? p.teamId}</a>
          </>
        ) : null}
      </nav>
      <section className="card" aria-labelledby="player-h" data-testid="player" data-player-id={p.id}>
        <h1 id="player-h">{p.name}</h1>
        <dl className="facts">
          <div>
            <dt>Title</dt>
            <dd>{titleName(p.title)}</dd>
          </div>
          <div>
            <dt>Team</dt>
            <dd>{p.teamId ? <a href={href.team(p.teamId)}>{team?.name ?? p.teamId}</a> : '—'}</dd>
          </div>
          <div>
            <dt>Recent matches</dt>
            <dd>{p.recentMatches.length}</dd>
          </div>
        </dl>
      </section>
      <HistoryChart kind="players" id={p.id} />
      <section className="card" aria-labelledby="player-matches-h">
        <h2 id="player-matches-h">Latest matches</h2>
        <MatchList matches={p.recentMatches} caption={`${p.name}'s latest matches`} />
      </section>
    </>
  );
}
