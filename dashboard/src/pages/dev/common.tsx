// Shared bits of the developer portal's pages: loading a resource, running an action with its
// outcome announced (role=status / role=alert), the server's messages shown as they come.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { describeApiError } from '../../session.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/** Calls `load` now, when `deps` change, and on reload(); every `pollMs` too when given. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let stop = false;
    setLoading(true);
    load().then(
      (d) => {
        if (stop) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (stop) return;
        setError(describeApiError(e));
        setLoading(false);
      },
    );
    return () => {
      stop = true;
    };
  }, [...deps, tick]);
  useEffect(() => {
    if (!pollMs) return;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, pollMs);
    return () => clearInterval(t);
  }, [pollMs, reload]);
  return { data, error, loading, reload };
}

export type Outcome = { kind: 'ok' | 'error'; text: string } | undefined;

/** Runs a write: busy while it runs; its outcome (or the server's error message) to show. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const run = useCallback(async <T,>(f: () => Promise<T>, ok?: (r: T) => string | undefined): Promise<T | undefined> => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const r = await f();
      const text = ok?.(r);
      if (text) setOutcome({ kind: 'ok', text });
      return r;
    } catch (e) {
      setOutcome({ kind: 'error', text: describeApiError(e) });
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, outcome, run, clear: () => setOutcome(undefined) };
}

/** An action's outcome: errors are alerts (read at once), successes statuses. */
export function OutcomeNote({ outcome, testId }: { outcome: Outcome; testId?: string }) {
  if (!outcome) return null;
  return outcome.kind === 'error' ? (
    <p role="alert" className="error" data-testid={testId ? `${testId}-error` : 'action-error'}>
      {outcome.text}
    </p>
  ) : (
    <p role="status" className="ok" data-testid={testId ? `${testId}-ok` : 'action-ok'}>
      {outcome.text}
    </p>
  );
}

export function LoadError({ error }: { error: string | undefined }) {
  return error ? (
    <p role="alert" className="error">
      {error}
    </p>
  ) : null;
}

export function Card({ title, id, children, testId }: { title: string; id: string; children: ReactNode; testId?: string }) {
  return (
    <section className="card" aria-labelledby={id} data-testid={testId}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** Copies a secret; says whether it worked (the clipboard needs a secure context and permission). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [said, setSaid] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied.');
    } catch {
      setSaid('Could not copy: select the text and copy it by hand.');
    }
  };
  return (
    <>
      <button type="button" className="secondary" onClick={() => void copy()} aria-label={label}>
        Copy
      </button>
      {said && (
        <span role="status" className="muted copy-note">
          {said}
        </span>
      )}
    </>
  );
}

/** A secret shown once, with its warning and a copy button. */
export function SecretOnce({ label, value, testId }: { label: string; value: string; testId: string }) {
  const id = `${testId}-label`;
  return (
    <div className="secret">
      <span id={id} className="secret-label">
        {label}
      </span>
      <div className="secret-row">
        <code aria-labelledby={id} data-testid={testId} tabIndex={0}>
          {value}
        </code>
        <CopyButton text={value} label={`Copy ${label}`} />
      </div>
    </div>
  );
}
