// The players' tables of a match: one per team, the title's built-in stats, then one column per
// plugin stat (`stat (name@version)`). Used live and for the match as it was at a seq.
import { href } from '../router.ts';
import { isShooter, pluginColumns, type MatchStatsView, type PlayerStatsView, type PluginValues } from '../model.ts';

type Col = { key: string; label: string; abbr?: string; get: (p: PlayerStatsView) => string | number | undefined };

const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? undefined : n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const pct = (n: number | undefined) => (n === undefined ? undefined : `${Math.round(n * 100)}%`);

function columns(title: string): Col[] {
  const kda: Col[] = [
    { key: 'kills', label: 'K', abbr: 'Kills', get: (p) => p.kills },
    { key: 'deaths', label: 'D', abbr: 'Deaths', get: (p) => p.deaths },
    { key: 'assists', label: 'A', abbr: 'Assists', get: (p) => p.assists },
  ];
  if (isShooter(title))
    return [
      ...kda,
      { key: 'adr', label: 'ADR', abbr: 'Average damage per round', get: (p) => fmt(p.adr, 1) },
      { key: 'kast', label: 'KAST', abbr: 'Rounds with a kill, assist, survival or trade', get: (p) => pct(p.kast) },
      { key: 'hs', label: 'HS%', abbr: 'Headshot percentage', get: (p) => (p.hsPercent === undefined ? undefined : `${p.hsPercent}%`) },
      title === 'valorant' ? { key: 'acs', label: 'ACS', abbr: 'Average combat score', get: (p) => fmt(p.acs) } : { key: 'rating', label: 'Rating', get: (p) => fmt(p.rating, 2) },
      { key: 'money', label: 'Money', get: (p) => (p.money === undefined ? undefined : `$${fmt(p.money)}`) },
    ];
  return [
    { key: 'character', label: title === 'dota2' ? 'Hero' : 'Champion', get: (p) => p.character },
    ...kda,
    { key: 'cs', label: 'CS', abbr: 'Creep score', get: (p) => p.creepScore ?? p.lastHits },
    { key: 'gold', label: title === 'dota2' ? 'Net worth' : 'Gold', get: (p) => fmt(title === 'dota2' ? (p.netWorth ?? p.gold) : (p.totalGold ?? p.gold)) },
    { key: 'gpm', label: 'GPM', abbr: 'Gold per minute', get: (p) => p.gpm },
    { key: 'level', label: 'Lvl', abbr: 'Level', get: (p) => p.level },
  ];
}

export function PlayerTables({ view, plugins, testId = 'players', heading = 'Players', headingId = 'players-h' }: { view: MatchStatsView; plugins: PluginValues; testId?: string; heading?: string; headingId?: string }) {
  const cols = columns(view.title);
  const pcols = pluginColumns(plugins);
  const groups = view.teams.map((t) => ({ team: t, players: view.players.filter((p) => p.team === t.id) }));
  const teamless = view.players.filter((p) => !view.teams.some((t) => t.id === p.team));
  if (teamless.length) groups.push({ team: { id: '', name: 'No team', score: 0, kills: 0, deaths: 0, assists: 0, objectives: {} }, players: teamless });
  return (
    <section className="card players" aria-labelledby={headingId}>
      <h2 id={headingId}>{heading}</h2>
      {groups.map(({ team, players }) => (
        <div className="table-scroll" key={team.id || 'none'}>
          <table data-testid={testId} data-team-id={team.id}>
            <caption>
              {team.name}
              {team.side ? <span className="muted"> · {team.side}</span> : null}
            </caption>
            <thead>
              <tr>
                <th scope="col">Player</th>
                {cols.map((c) => (
                  <th scope="col" key={c.key} className="num">
                    {c.abbr ? <abbr title={c.abbr}>{c.label}</abbr> : c.label}
                  </th>
                ))}
                {pcols.map((c) => (
                  <th scope="col" key={`${c.plugin}:${c.stat}`} className="num plugin-col">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {players.map((p) => (
                <tr key={p.id} data-player-id={p.id}>
                  <th scope="row">
                    <a href={href.player(p.id)}>{p.name}</a>
                  </th>
                  {cols.map((c) => (
                    <td key={c.key} className="num" data-stat={c.key}>
                      {c.get(p) ?? '—'}
                    </td>
                  ))}
                  {pcols.map((c) => {
                    const v = plugins[c.plugin]?.[`player:${p.id}:${c.stat}`]?.value;
                    return (
                      <td key={`${c.plugin}:${c.stat}`} className="num" data-plugin={c.plugin} data-stat={c.stat}>
                        {v === undefined ? '—' : String(v)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

