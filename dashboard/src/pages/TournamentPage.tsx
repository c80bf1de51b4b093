// A tournament: standings (GET /v1/tournaments/{id}), its players' leaderboards
// (GET /v1/leaderboards/{title}/{stat}?tournament=) and its matches (GET /v1/matches?tournament=).
import { useState } from 'react';
import { unwrap, type paths } from '@clutch/sdk';
import { api } from '../api.ts';
import { href } from '../router.ts';
import { titleName, type Title } from '../model.ts';
import { Loading, MatchList, useLoad, type MatchRow } from '../components/Catalog.tsx';

type Tournament = paths['/v1/tournaments/{id}']['get']['responses'][200]['content']['application/json'];
type Board = paths['/v1/leaderboards/{title}/{stat}']['get']['responses'][200]['content']['application/json'];
const STATS = ['kills', 'assists', 'deaths', 'damage', 'wpa'] as const;
/** How a stat is named in the picker and the column (wpa: win probability added, summed over matches). */
const STAT_LABEL: Record<(typeof STATS)[number], string> = { kills: 'kills', assists: 'assists', deaths: 'deaths', damage: 'damage', wpa: 'win probability added' };
type Stat = (typeof STATS)[number];

export function TournamentPage({ id }: { id: string }) {
  const { data: t, error } = useLoad<Tournament>(() => unwrap(api().GET('/v1/tournaments/{id}', { params: { path: { id } } })), [id]);
  const { data: matches } = useLoad<MatchRow[]>(async () => (await unwrap(api().GET('/v1/matches', { params: { query: { tournament: id, limit: 50 } } }))).data, [id]);
  if (!t) return <Loading what={`Tournament ${id}`} error={error} />;
  const title = (t.title ?? matches?.[0]?.title) as Title | undefined;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <a href={href.matches()}>Live matches</a>
        {title ? (
          <>
            {' '}
            <span aria-hidden="true">›</span> <a href={href.matches(title)}>{titleName(title)}</a>
          </>
        ) : null}
      </nav>
      <section className="card" aria-labelledby="tournament-h" data-testid="tournament" data-tournament-id={t.id}>
        <h1 id="tournament-h">{t.name}</h1>
        <dl className="facts">
          <div>
            <dt>Title</dt>
            <dd>{title ? titleName(title) : '—'}</dd>
          </div>
          <div>
            <dt>Matches</dt>
            <dd>{t.matches}</dd>
          </div>
          <div>
            <dt>Live now</dt>
            <dd>{t.live}</dd>
          </div>
        </dl>
      </section>
      <div className="two-col">
        <section className="card" aria-labelledby="standings-h">
          <h2 id="standings-h">Standings</h2>
          {t.standings.length === 0 ? (
            <p className="muted">No finished match yet.</p>
          ) : (
            <div className="table-scroll">
              <table data-testid="standings">
                <caption className="sr-only">Standings: wins and losses over the finished matches</caption>
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      #
                    </th>
                    <th scope="col">Team</th>
                    <th scope="col" className="num">
                      Played
                    </th>
                    <th scope="col" className="num">
                      Wins
                    </th>
                    <th scope="col" className="num">
                      Losses
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {t.standings.map((s, i) => (
                    <tr key={s.team.id} data-team-id={s.team.id}>
                      <td className="num">{i + 1}</td>
                      <th scope="row">
                        <a href={href.team(s.team.id)}>{s.team.name}</a>
                      </th>
                      <td className="num">{s.played}</td>
                      <td className="num" data-stat="wins">
                        {s.wins}
                      </td>
                      <td className="num" data-stat="losses">
                        {s.losses}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        {title ? <Leaderboard tournament={t.id} title={title} /> : null}
      </div>
      <section className="card" aria-labelledby="tournament-matches-h">
        <h2 id="tournament-matches-h">Matches</h2>
        {matches ? <MatchList matches={matches} caption={`Matches of ${t.name}`} /> : <p className="muted">Loading…</p>}
      </section>
    </>
  );
}

function Leaderboard({ tournament, title }: { tournament: string; title: Title }) {
  const [stat, setStat] = useState<Stat>('kills');
  const { data: board, error } = useLoad<Board>(() => unwrap(api().GET('/v1/leaderboards/{title}/{stat}', { params: { path: { title, stat }, query: { tournament, limit: 10 } } })), [tournament, title, stat]);
  // Leaderboards rank player ids; their names come from the title's players.
  const { data: names } = useLoad<Map<string, string>>(async () => new Map((await unwrap(api().GET('/v1/players', { params: { query: { title, limit: 200 } } }))).data.map((p) => [p.id, p.name])), [title]);
  return (
    <section className="card" aria-labelledby="leaderboard-h" data-testid="leaderboard" data-stat={stat}>
      <h2 id="leaderboard-h">Leaderboard</h2>
      <label className="field">
        Stat
        <select value={stat} onChange={(e) => setStat(e.currentTarget.value as Stat)}>
          {STATS.map((s) => (
            <option key={s} value={s}>
              {STAT_LABEL[s]}
            </option>
          ))}
        </select>
      </label>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : !board ? (
        <p className="muted">Loading…</p>
      ) : board.data.length === 0 ? (
        <p className="muted">No {STAT_LABEL[stat]} counted yet.</p>
      ) : (
        <table data-testid="leaderboard-table">
          <caption className="sr-only">Players by {STAT_LABEL[stat]} in this tournament</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                Rank
              </th>
              <th scope="col">Player</th>
              <th scope="col" className="num">
                {STAT_LABEL[stat]}
              </th>
            </tr>
          </thead>
          <tbody>
            {board.data.map((r) => (
              <tr key={r.player} data-player-id={r.player}>
                <td className="num">{r.rank}</td>
                <th scope="row">
                  <a href={href.player(r.player)}>{names?.get(r.player) ?? r.player}</a>
                </th>
                <td className="num" data-stat="value">
                  {stat === 'wpa' ? `${r.value >= 0 ? '+' : ''}${(r.value * 100).toFixed(1)} %` : r.value.toLocaleString('en')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
