// The match as it was after any event: a range input over seq (keyboard: arrows, Page Up/Down,
// Home/End) that loads GET /v1/matches/{id}/state?seq= and shows the score and the players' tables
// at that point. At the right end it follows the live match (nothing loaded).
import { useEffect, useId, useState } from 'react';
import { unwrap } from '@clutch/sdk';
import { api, describeError } from '../api.ts';
import { clock, type MatchStatsView } from '../model.ts';
import { PlayerTables } from './PlayerTables.tsx';

const DEBOUNCE_MS = 200;

interface Loaded {
  seq: number;
  occurredAt: string;
  stats: MatchStatsView;
}

export function StateAtSeq({ id, latestSeq, firstSeq = 1 }: { id: string; latestSeq: number; firstSeq?: number }) {
  const inputId = useId();
  const [picked, setPicked] = useState<number>(); // undefined: follow the latest seq
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const seq = picked ?? latestSeq;
  const pinned = picked !== undefined && picked < latestSeq;

  useEffect(() => {
    if (!pinned) {
      setLoaded(undefined);
      setError(undefined);
      return;
    }
    let stop = false;
    setLoading(true);
    const t = setTimeout(() => {
      unwrap(api().GET('/v1/matches/{id}/state', { params: { path: { id }, query: { seq } } })).then(
        (s) => {
          if (stop) return;
          setLoaded({ seq: s.seq, occurredAt: s.occurredAt, stats: s.stats as unknown as MatchStatsView });
          setError(undefined);
          setLoading(false);
        },
        (e: unknown) => {
          if (stop) return;
          setError(describeError(e));
          setLoading(false);
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      stop = true;
      clearTimeout(t);
    };
  }, [id, seq, pinned]);

  const shown = pinned && loaded && loaded.seq <= seq ? loaded : undefined;
  const [a, b] = shown?.stats.teams ?? [];
  return (
    <section className="card state-at" aria-labelledby="state-at-h" data-testid="state-at" data-pinned={pinned} data-seq={shown?.seq ?? ''} data-loading={loading}>
      <h2 id="state-at-h">Match at any point</h2>
      <div className="scrubber">
        <label htmlFor={inputId}>Event (seq)</label>
        <input
          id={inputId}
          type="range"
          min={firstSeq}
          max={Math.max(firstSeq, latestSeq)}
          step={1}
          value={Math.min(seq, Math.max(firstSeq, latestSeq))}
          aria-valuetext={pinned ? `seq ${seq} of ${latestSeq}` : `latest, seq ${latestSeq}`}
          data-testid="state-seq"
          onChange={(e) => {
            const v = Number(e.currentTarget.value);
            setPicked(v >= latestSeq ? undefined : v);
          }}
        />
        <output htmlFor={inputId} aria-live="polite">
          {pinned ? `seq ${seq} of ${latestSeq}` : `latest (seq ${latestSeq})`}
        </output>
        {pinned && (
          <button type="button" onClick={() => setPicked(undefined)}>
            Back to latest
          </button>
        )}
      </div>
      {!pinned ? (
        <p className="muted">Move the slider to see the score and every player's stats as they were after that event.</p>
      ) : error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : !shown || !a || !b ? (
        <p className="muted" role="status">
          Loading seq {seq}…
        </p>
      ) : (
        <>
          <p className="state-score" data-testid="state-score" data-scores={`${a.score}:${b.score}`}>
            After seq {shown.seq} ({clock(shown.stats.durationMs)}, {new Date(shown.occurredAt).toLocaleTimeString('en', { hour12: false, timeZone: 'UTC' })} UTC):{' '}
            <span className="wp t0">{a.name}</span> <strong>{a.score}</strong> – <strong>{b.score}</strong> <span className="wp t1">{b.name}</span>
            {loading ? <span className="muted"> · loading seq {seq}…</span> : null}
          </p>
          <PlayerTables view={shown.stats} plugins={{}} testId="state-players" heading={`Players after seq ${shown.seq}`} headingId="state-players-h" />
        </>
      )}
    </section>
  );
}
