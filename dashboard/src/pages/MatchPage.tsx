// One match, live: REST for the match's summary, its minute windows (chart history) and its kill
// events; the live client (WebSocket /v1/live, snapshot then deltas, resuming with the last seq after
// any drop) for everything that moves. The page checks the seq chain itself (data-gaps) so a test can
// prove that nothing was lost across a reconnect.
import { useEffect, useMemo, useState } from 'react';
import { unwrap, type LiveState, type paths } from '@clutch/sdk';
import { api, describeError, liveClient } from '../api.ts';
import { href } from '../router.ts';
import { chartFor, clock, extendSeries, isShooter, joinSeries, killEntry, mergePlugins, mergePredictions, type LivePrediction, seriesFromWindows, titleName, type KillEntry, type MatchStatsView, type PluginValues, type TimeSeries } from '../model.ts';
import { LiveChart } from '../components/LiveChart.tsx';
import { WinProbability } from '../components/WinProbability.tsx';
import { PlayerTables } from '../components/PlayerTables.tsx';
import { StateAtSeq } from '../components/StateAtSeq.tsx';
import { LiveBadge } from './MatchesPage.tsx';

type MatchDetail = paths['/v1/matches/{id}']['get']['responses'][200]['content']['application/json'];

interface Connection {
  state: LiveState;
  seq?: number;
  snapshots: number;
  deltas: number;
  reconnects: number;
  gaps: number;
}

const EMPTY: TimeSeries = { xs: [], ys: [] };
const KILLS_SHOWN = 30;
const KILL_POLL_MS = 2000;

export function MatchPage({ id }: { id: string }) {
  const [summary, setSummary] = useState<MatchDetail>();
  const [error, setError] = useState<string>();
  const [view, setView] = useState<MatchStatsView>();
  const [plugins, setPlugins] = useState<PluginValues>({});
  const [live, setLive] = useState<TimeSeries>(EMPTY);
  const [history, setHistory] = useState<TimeSeries>(EMPTY);
  const [kills, setKills] = useState<KillEntry[]>([]);
  const [preds, setPreds] = useState<LivePrediction[]>([]);
  const [conn, setConn] = useState<Connection>({ state: 'connecting', snapshots: 0, deltas: 0, reconnects: 0, gaps: 0 });

  // Summary (names, map, start) once; 404 → "not found".
  useEffect(() => {
    let stop = false;
    setSummary(undefined);
    setError(undefined);
    unwrap(api().GET('/v1/matches/{id}', { params: { path: { id } } })).then(
      (m) => !stop && setSummary(m),
      (e: unknown) => !stop && setError(describeError(e)),
    );
    return () => {
      stop = true;
    };
  }, [id]);

  // Live stats: snapshot, then deltas, resumed across drops by the SDK.
  useEffect(() => {
    setView(undefined);
    setPlugins({});
    setLive(EMPTY);
    let last: number | undefined;
    let open = false;
    const client = liveClient({
      onMessage: (m) => {
        if (m.type === 'error') {
          if (!m.matchId || m.matchId === id) setError(`${m.message ?? 'live error'} (${m.code ?? '?'})`);
          return;
        }
        if (m.matchId !== id || (m.type !== 'snapshot' && m.type !== 'delta') || m.seq === undefined) return;
        const gap = m.type === 'delta' && last !== undefined && m.fromSeq !== last + 1;
        last = m.seq;
        const v = m.stats as MatchStatsView;
        setView(v);
        setPlugins((p) => mergePlugins(p, m));
        const more = m.type === 'snapshot' ? (m.prediction ? [m.prediction] : []) : (m.predictions ?? []);
        if (more.length) setPreds((p) => mergePredictions(p, more));
        setLive((s) => (m.type === 'snapshot' && m.reason === 'history_gap' ? extendSeries(EMPTY, v) : extendSeries(s, v)));
        setConn((c) => ({ ...c, seq: m.seq, snapshots: c.snapshots + (m.type === 'snapshot' ? 1 : 0), deltas: c.deltas + (m.type === 'delta' ? 1 : 0), gaps: c.gaps + (gap ? 1 : 0) }));
      },
      onState: (state) => {
        // A drop is counted once: open → reconnecting (the retries that follow say reconnecting too).
        const dropped = state === 'reconnecting' && open;
        open = state === 'open';
        setConn((c) => ({ ...c, state, reconnects: c.reconnects + (dropped ? 1 : 0) }));
      },
    });
    client.subscribe([id]);
    return () => client.close();
  }, [id]);

  // Win-probability history: the predictions stored before the page opened (the live ones merge in).
  useEffect(() => {
    setPreds([]);
    let stop = false;
    void (async () => {
      let afterSeq: number | undefined;
      for (let pages = 0; pages < 50 && !stop; pages++) {
        const page = await unwrap(api().GET('/v1/matches/{id}/predictions', { params: { path: { id }, query: { limit: 1000, ...(afterSeq !== undefined ? { afterSeq } : {}) } } }));
        if (stop) return;
        if (page.data.length) setPreds((p) => mergePredictions(p, page.data as LivePrediction[]));
        if (page.next === null) return;
        afterSeq = page.next;
      }
    })().catch(() => {}); // the live predictions alone still make the chart
    return () => {
      stop = true;
    };
  }, [id]);

  // MOBA chart history: the minute windows before the page was opened.
  const title = view?.title;
  const teamIds = view?.teams.map((t) => t.id).join(',');
  useEffect(() => {
    if (!title || isShooter(title) || !teamIds) return;
    let stop = false;
    unwrap(api().GET('/v1/matches/{id}/windows', { params: { path: { id }, query: { win: 'minute' } } })).then(
      (w) => !stop && setHistory(seriesFromWindows(w.data, teamIds.split(','))),
      () => {}, // the live points alone still make a chart
    );
    return () => {
      stop = true;
    };
  }, [id, title, teamIds]);

  // Kill feed: the match's kill events, read in seq order after the last one seen.
  const seq = conn.seq;
  useKillFeed(id, seq, setKills);

  const moba = useMemo(() => joinSeries(history, live), [history, live]);
  const chart = useMemo(() => (view ? chartFor(view, moba) : undefined), [view, moba]);

  if (error && !view) {
    return (
      <section className="card">
        <h1>Match {id}</h1>
        <p role="alert" className="error">
          {error}
        </p>
        <p>
          <a href={href.matches()}>Back to live matches</a>
        </p>
      </section>
    );
  }

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <a href={href.matches()}>Live matches</a> <span aria-hidden="true">›</span> {view ? <a href={href.matches(view.title)}>{titleName(view.title)}</a> : null}
        {summary?.tournamentId ? (
          <>
            {' '}
            <span aria-hidden="true">›</span> <a href={href.tournament(summary.tournamentId)}>Tournament {summary.tournamentId}</a>
          </>
        ) : null}
      </nav>
      <Scoreboard id={id} view={view} summary={summary} conn={conn} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!view ? (
        <p className="muted card" role="status">
          Waiting for the match's first stats…
        </p>
      ) : (
        <div className="match-grid">
          <section className="card chart-card" aria-label="Chart">
            {chart ? <LiveChart spec={chart} /> : <ChartEmpty view={view} />}
            {view.rounds && view.rounds.length > 0 && <RoundStrip view={view} />}
          </section>
          <KillFeed kills={kills} view={view} />
          <WinProbability preds={preds} view={view} />
          <PlayerTables view={view} plugins={plugins} />
          <OtherPluginValues view={view} plugins={plugins} />
          {conn.seq !== undefined && <StateAtSeq id={id} latestSeq={conn.seq} />}
        </div>
      )}
    </>
  );
}

function useKillFeed(id: string, seq: number | undefined, setKills: (f: (k: KillEntry[]) => KillEntry[]) => void) {
  const [poke, setPoke] = useState(0);
  const [feed] = useState(() => ({ cursor: 0, running: false, again: false, id: '' }));
  if (feed.id !== id) Object.assign(feed, { id, cursor: 0 });
  useEffect(() => {
    const t = setInterval(() => setPoke((n) => n + 1), KILL_POLL_MS);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    setKills(() => []);
  }, [id, setKills]);
  useEffect(() => {
    if (seq === undefined) return;
    const run = async () => {
      if (feed.running) {
        feed.again = true;
        return;
      }
      feed.running = true;
      try {
        do {
          feed.again = false;
          for (;;) {
            const page = await unwrap(api().GET('/v1/matches/{id}/events', { params: { path: { id }, query: { afterSeq: feed.cursor, limit: 200, types: 'player.killed.player' } } }));
            if (feed.id !== id) return;
            const entries = page.data.map(killEntry).filter((k): k is KillEntry => k !== undefined);
            const lastSeq = page.data.at(-1)?.['seq'];
            if (typeof lastSeq === 'number') feed.cursor = Math.max(feed.cursor, lastSeq);
            if (entries.length) setKills((k) => newestFirst([...entries, ...k]));
            if (page.next === null) break;
            feed.cursor = Math.max(feed.cursor, page.next);
          }
        } while (feed.again);
      } catch {
        // Tried again on the next delta or tick.
      } finally {
        feed.running = false;
      }
    };
    void run();
  }, [id, seq, poke, feed, setKills]);
}

/** Kill-feed lines newest first, each seq once, at most KILLS_SHOWN. */
function newestFirst(kills: KillEntry[]): KillEntry[] {
  const bySeq = new Map(kills.map((k) => [k.seq, k]));
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, KILLS_SHOWN);
}

function Scoreboard({ id, view, summary, conn }: { id: string; view?: MatchStatsView; summary?: MatchDetail; conn: Connection }) {
  const teams = view?.teams.length ? view.teams : (summary?.teams ?? []);
  const [a, b] = teams;
  const status = view?.status ?? summary?.status;
  const winner = view?.winner ? teams.find((t) => t.id === view.winner)?.name : undefined;
  return (
    <header className="scoreboard card" aria-label="Scoreboard" data-testid="scoreboard">
      <h1 className="sr-only">
        {a?.name ?? '?'} vs {b?.name ?? '?'}
      </h1>
      <div className="team left">
        <span className="team-name" data-testid="team-0">
          {a?.id ? <a href={href.team(a.id)}>{a.name}</a> : (a?.name ?? '…')}
        </span>
        <span className="team-score" data-testid="score-0" aria-label={`${a?.name ?? 'Team 1'} score`}>
          {a?.score ?? 0}
        </span>
      </div>
      <div className="middle">
        <div>
          {status === 'live' ? (
            <LiveBadge />
          ) : (
            <span className="finished" data-testid="finished">
              {status === 'finished' ? 'FINISHED' : (status ?? '…').toUpperCase()}
            </span>
          )}
        </div>
        <div className="muted" data-testid="match-status" data-status={status ?? ''}>
          {view ? titleName(view.title) : summary ? titleName(summary.title) : ''}
          {(view?.map ?? summary?.map) ? ` · ${view?.map ?? summary?.map}` : ''}
          {view ? ` · ${clock(view.durationMs)}` : ''}
        </div>
        {winner && <div className="winner">Winner: {winner}</div>}
        <ConnectionStatus id={id} conn={conn} />
      </div>
      <div className="team right">
        <span className="team-score" data-testid="score-1" aria-label={`${b?.name ?? 'Team 2'} score`}>
          {b?.score ?? 0}
        </span>
        <span className="team-name" data-testid="team-1">
          {b?.id ? <a href={href.team(b.id)}>{b.name}</a> : (b?.name ?? '…')}
        </span>
      </div>
    </header>
  );
}

function ConnectionStatus({ id, conn }: { id: string; conn: Connection }) {
  const label = conn.state === 'open' ? 'Connected' : conn.state === 'reconnecting' ? 'Reconnecting…' : conn.state === 'connecting' ? 'Connecting…' : 'Closed';
  return (
    <p
      className={`conn conn-${conn.state}`}
      role="status"
      data-testid="connection"
      data-match-id={id}
      data-state={conn.state}
      data-seq={conn.seq ?? ''}
      data-snapshots={conn.snapshots}
      data-deltas={conn.deltas}
      data-reconnects={conn.reconnects}
      data-gaps={conn.gaps}
    >
      <span aria-hidden="true" className="dot" /> {label}
      {conn.seq !== undefined ? ` · seq ${conn.seq}` : ''}
      {conn.reconnects ? ` · resumed ${conn.reconnects}×` : ''}
    </p>
  );
}

function ChartEmpty({ view }: { view: MatchStatsView }) {
  const why = isShooter(view.title) ? 'The chart starts when the first round ends.' : view.title === 'dota2' ? "The net-worth chart starts when the source reports the teams' net worth or gold." : "The gold chart starts when the source reports the teams' gold.";
  return (
    <div className="chart-empty" data-testid="chart-empty">
      <h2>Chart</h2>
      <p className="muted">No chart data yet. {why}</p>
    </div>
  );
}

function RoundStrip({ view }: { view: MatchStatsView }) {
  const names = new Map(view.teams.map((t, i) => [t.id, { name: t.name, i }]));
  return (
    <div className="rounds">
      <h3>Rounds</h3>
      <ol className="round-strip" data-testid="round-strip">
        {(view.rounds ?? []).map((r) => {
          const w = r.winner ? names.get(r.winner) : undefined;
          return (
            <li key={r.round} className={`round w${w?.i ?? 'x'}`} title={`Round ${r.round}: ${w?.name ?? 'no winner'}${r.reason ? ` (${r.reason})` : ''}, ${r.score[0]}–${r.score[1]}`}>
              <span className="sr-only">
                Round {r.round}: won by {w?.name ?? 'nobody'}
                {r.reason ? ` (${r.reason})` : ''}, score {r.score[0]}–{r.score[1]}
              </span>
              <span aria-hidden="true">{r.round}</span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function KillFeed({ kills, view }: { kills: KillEntry[]; view: MatchStatsView }) {
  const side = new Map(view.teams.map((t, i) => [t.id, i]));
  return (
    <section className="card kill-feed" aria-labelledby="kill-feed-h">
      <h2 id="kill-feed-h">Kill feed</h2>
      {kills.length === 0 ? (
        <p className="muted">No kill yet.</p>
      ) : (
        <ol data-testid="kill-feed" reversed>
          {kills.map((k) => (
            <li key={k.seq} data-seq={k.seq}>
              {k.gameTime !== undefined && <span className="muted time">{clock(k.gameTime)}</span>} <span className={`p t${side.get(k.killerTeam ?? '') ?? 'x'}`}>{k.killer ?? 'World'}</span>{' '}
              <span className="weapon">
                {k.weapon ? `[${k.weapon}${k.headshot ? ', headshot' : ''}]` : k.headshot ? '[headshot]' : 'killed'}
              </span>{' '}
              <span className={`p t${side.get(k.victimTeam ?? '') ?? 'x'}`}>{k.victim}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** Plugin values about teams and the match (player values are columns of the players' tables). */
function OtherPluginValues({ view, plugins }: { view: MatchStatsView; plugins: PluginValues }) {
  const rows = Object.entries(plugins).flatMap(([plugin, values]) => Object.values(values).filter((v) => v.kind !== 'player').map((v) => ({ plugin, ...v })));
  if (!rows.length) return null;
  const teamName = (id: string) => view.teams.find((t) => t.id === id)?.name ?? id;
  return (
    <section className="card" aria-labelledby="plugin-h">
      <h2 id="plugin-h">Plugin stats</h2>
      <table data-testid="plugin-values">
        <thead>
          <tr>
            <th scope="col">Plugin</th>
            <th scope="col">Subject</th>
            <th scope="col">Stat</th>
            <th scope="col" className="num">
              Value
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.plugin}:${r.kind}:${r.id}:${r.stat}`}>
              <td>{r.plugin}</td>
              <td>{r.kind === 'team' ? teamName(r.id) : 'match'}</td>
              <td>{r.stat}</td>
              <td className="num">{String(r.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
