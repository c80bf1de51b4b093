// Plugins (scope plugins:manage): the organisation's stat plugins; upload a version (manifest.json +
// bundle.js, as `clutch plugin build` makes them); per version: status, why strikes disabled it,
// where it is active; test-run a version over a stored match (outputs, timings, errors, logs);
// activate, deactivate, roll back, delete; and the runtime's metrics of the plugin (GET /metrics,
// the series labelled with this organisation's plugin).
import { useState, type FormEvent } from 'react';
import { unwrap, type paths } from '@clutch/sdk';
import type { MatchStatsView } from '@clutch/core';
import { noContent, sessionApi } from '../../session.ts';
import { Card, LoadError, OutcomeNote, useAction, useLoad, when } from './common.tsx';

type Version = paths['/v1/plugins/{name}']['get']['responses'][200]['content']['application/json']['versions'][number];
type TestResult = paths['/v1/plugins/{name}/versions/{version}/test']['post']['responses'][200]['content']['application/json'];

export function PluginsPage() {
  const list = useLoad(() => unwrap(sessionApi().GET('/v1/plugins')).then((r) => r.data), []);
  const [selected, setSelected] = useState<string>();
  return (
    <>
      <h1>Plugins</h1>
      <Card title="Your organisation's plugins" id="plugins-h" testId="plugins">
        <LoadError error={list.error} />
        {list.data && list.data.length === 0 && <p className="muted">No plugin yet: upload one below (docs: Writing a plugin with the SDK).</p>}
        {list.data && list.data.length > 0 && (
          <div className="table-scroll">
            <table>
              <caption>Plugins</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Description</th>
                  <th scope="col">Latest</th>
                  <th scope="col" className="num">
                    Versions
                  </th>
                  <th scope="col">Active</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((p) => (
                  <tr key={p.name} data-plugin={p.name}>
                    <th scope="row">
                      <button type="button" className={p.name === selected ? 'pick selected' : 'pick'} aria-pressed={p.name === selected} onClick={() => setSelected(p.name)}>
                        {p.name}
                      </button>
                    </th>
                    <td className="wrap">{p.description ?? '—'}</td>
                    <td>{p.latestVersion}</td>
                    <td className="num">{p.versions}</td>
                    <td data-testid="plugin-active">{p.activations.length ? p.activations.map((a) => `${a.version} (${a.tournament ? `tournament ${a.tournament}` : 'all matches'})`).join(', ') : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Upload
          onUploaded={(name) => {
            setSelected(name);
            list.reload();
          }}
        />
      </Card>
      {selected && <PluginDetail key={selected} name={selected} onChanged={list.reload} />}
    </>
  );
}

function Upload({ onUploaded }: { onUploaded: (name: string) => void }) {
  const [manifest, setManifest] = useState<File>();
  const [bundle, setBundle] = useState<File>();
  const [formKey, setFormKey] = useState(0);
  const a = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!manifest || !bundle) return;
    const r = await a.run(
      async () => {
        let m: Record<string, unknown>;
        try {
          m = JSON.parse(await manifest.text()) as Record<string, unknown>;
        } catch (err) {
          throw new Error(`${manifest.name} is not JSON: ${(err as Error).message}`, { cause: err });
        }
        return unwrap(sessionApi().POST('/v1/plugins', { body: { manifest: m, bundle: await bundle.text() } }));
      },
      (v) => `Uploaded ${v.name}@${v.version} (inactive). Test-run it, then activate it.`,
    );
    if (r) {
      setFormKey((k) => k + 1);
      setManifest(undefined);
      setBundle(undefined);
      onUploaded(r.name);
    }
  };
  return (
    <form key={formKey} onSubmit={(e) => void submit(e)} aria-labelledby="upload-h" data-testid="plugin-upload">
      <h3 id="upload-h">Upload a version</h3>
      <p className="muted">
        <code>npx clutch plugin build index.ts</code> writes both files. Versions are immutable: bump the version to upload again.
      </p>
      <div className="inline-form">
        <label className="field">
          <span>Manifest (manifest.json)</span>
          <input type="file" name="manifest" accept=".json,application/json" required onChange={(e) => setManifest(e.target.files?.[0])} />
        </label>
        <label className="field">
          <span>Bundle (bundle.js)</span>
          <input type="file" name="bundle" accept=".js,text/javascript" required onChange={(e) => setBundle(e.target.files?.[0])} />
        </label>
      </div>
      <button type="submit" disabled={a.busy || !manifest || !bundle}>
        Upload
      </button>
      <OutcomeNote outcome={a.outcome} testId="upload" />
    </form>
  );
}

function PluginDetail({ name, onChanged }: { name: string; onChanged: () => void }) {
  const plugin = useLoad(() => unwrap(sessionApi().GET('/v1/plugins/{name}', { params: { path: { name } } })), [name]);
  const a = useAction();
  const [testing, setTesting] = useState<string>();
  const changed = () => {
    plugin.reload();
    onChanged();
  };
  const activate = async (version: string) => {
    if (await a.run(() => unwrap(sessionApi().POST('/v1/plugins/{name}/versions/{version}/activate', { params: { path: { name, version } }, body: {} })), (r) => `${name}@${r.version} is active on all matches${r.replaced ? ` (replacing ${r.replaced})` : ''}.`)) changed();
  };
  const deactivate = async () => {
    if (await a.run(() => unwrap(sessionApi().POST('/v1/plugins/{name}/deactivate', { params: { path: { name } }, body: {} })), (r) => `${name}@${r.version} is no longer active.`)) changed();
  };
  const rollback = async () => {
    if (await a.run(() => unwrap(sessionApi().POST('/v1/plugins/{name}/rollback', { params: { path: { name } }, body: {} })), (r) => `Rolled back from ${r.replaced} to ${r.version}.`)) changed();
  };
  const remove = async (version: string) => {
    if (!confirm(`Delete ${name}@${version}? The values it emitted stay with the matches.`)) return;
    if ((await a.run(() => noContent(sessionApi().DELETE('/v1/plugins/{name}/versions/{version}', { params: { path: { name, version } } })), () => `Deleted ${name}@${version}.`)) === true) changed();
  };
  const versions = plugin.data?.versions ?? [];
  const active = plugin.data?.activations.find((x) => x.tournament === null);
  return (
    <Card title={`Plugin ${name}`} id="plugin-detail-h" testId="plugin-detail">
      <LoadError error={plugin.error} />
      <OutcomeNote outcome={a.outcome} testId="plugin" />
      <div className="button-row">
        <button type="button" className="secondary" disabled={a.busy || !active} onClick={() => void deactivate()} data-testid="deactivate">
          Deactivate
        </button>
        <button type="button" className="secondary" disabled={a.busy || !active} onClick={() => void rollback()}>
          Roll back to the previous version
        </button>
        {active && <span className="muted">Active: {active.version} on all matches</span>}
      </div>
      <div className="table-scroll">
        <table data-testid="plugin-versions">
          <caption>Versions (oldest first)</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Active on</th>
              <th scope="col">Uploaded</th>
              <th scope="col">SHA-256</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <VersionRow key={v.version} v={v} busy={a.busy} onTest={() => setTesting(v.version)} onActivate={() => void activate(v.version)} onDelete={() => void remove(v.version)} />
            ))}
          </tbody>
        </table>
      </div>
      {versions
        .filter((v) => v.disabled)
        .map((v) => (
          <div key={v.version} className="strikes" role="note" data-testid="strikes">
            <h3>
              {v.version}: disabled by strikes ({v.disabled!.code})
            </h3>
            <p>
              {v.disabled!.message} — {when(v.disabled!.at)}. Activating it again clears this.
            </p>
            <ul>
              {v.disabled!.strikes.map((s, i) => (
                <li key={i}>
                  <code>{s.code}</code> {s.message} <span className="muted">({when(s.at)})</span>
                </li>
              ))}
            </ul>
          </div>
        ))}
      {testing && <TestRun key={testing} name={name} version={testing} />}
      <Metrics name={name} />
    </Card>
  );
}

function VersionRow({ v, busy, onTest, onActivate, onDelete }: { v: Version; busy: boolean; onTest: () => void; onActivate: () => void; onDelete: () => void }) {
  return (
    <tr data-version={v.version} data-status={v.status}>
      <th scope="row">{v.version}</th>
      <td className={v.status === 'disabled' ? 'error' : v.status === 'active' ? 'ok' : ''}>{v.status}</td>
      <td>{v.activations.length ? v.activations.map((x) => (x.tournament ? `tournament ${x.tournament}` : 'all matches')).join(', ') : '—'}</td>
      <td>{when(v.createdAt)}</td>
      <td>
        <code title={v.sha256}>{v.sha256.slice(0, 12)}…</code>
      </td>
      <td className="actions">
        <button type="button" className="secondary" disabled={busy} onClick={onTest}>
          Test run<span className="sr-only"> {v.version}</span>
        </button>
        <button type="button" disabled={busy || v.activations.some((x) => x.tournament === null)} onClick={onActivate} data-testid={`activate-${v.version}`}>
          Activate<span className="sr-only"> {v.version}</span>
        </button>
        <button type="button" className="danger" disabled={busy || v.activations.length > 0} onClick={onDelete}>
          Delete<span className="sr-only"> {v.version}</span>
        </button>
      </td>
    </tr>
  );
}

function TestRun({ name, version }: { name: string; version: string }) {
  const matches = useLoad(() => unwrap(sessionApi().GET('/v1/matches', { params: { query: { limit: 50 } } })).then((r) => r.data), []);
  const [matchId, setMatchId] = useState('');
  const [result, setResult] = useState<TestResult>();
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const a = useAction();
  const run = async (e: FormEvent) => {
    e.preventDefault();
    setResult(undefined);
    const r = await a.run(() => unwrap(sessionApi().POST('/v1/plugins/{name}/versions/{version}/test', { params: { path: { name, version } }, body: { matchId } })));
    if (!r) return;
    setResult(r);
    // Names of the match's players and teams for the outputs (ids when the stats cannot be read).
    try {
      const st = (await unwrap(sessionApi().GET('/v1/matches/{id}/stats', { params: { path: { id: matchId } } }))) as unknown as MatchStatsView;
      setNames(new Map([...st.players.map((p) => [`player:${p.id}`, p.name] as const), ...st.teams.map((t) => [`team:${t.id}`, t.name] as const)]));
    } catch {
      setNames(new Map());
    }
  };
  const chosen = matchId || '';
  return (
    <section className="test-run" aria-labelledby="test-h" data-testid="test-run">
      <h3 id="test-h">
        Test-run {name}@{version} over a stored match
      </h3>
      <p className="muted">Runs in a sandbox of the API: stores nothing, counts no strikes.</p>
      <form onSubmit={(e) => void run(e)} className="inline-form">
        <label className="field">
          <span>Stored match</span>
          <select value={chosen} onChange={(e) => setMatchId(e.target.value)} required data-testid="test-match">
            <option value="">— choose a match —</option>
            {(matches.data ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.title.toUpperCase()} · {m.teams.map((t) => t.name).join(' vs ')} · {m.status} ({m.id})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={a.busy || !chosen} data-testid="run-test">
          {a.busy ? 'Running…' : 'Run'}
        </button>
      </form>
      <LoadError error={matches.error} />
      <OutcomeNote outcome={a.outcome} testId="test-run" />
      {result && (
        <div data-testid="test-result" data-outputs={result.outputs.length} data-errors={result.errors.length}>
          <p role="status">
            {result.events.read} events read, {result.events.passed} passed to the plugin in {result.calls} call(s); {result.outputs.length} values; {result.errors.length} error(s).
          </p>
          <dl className="facts" data-testid="test-timings">
            <div>
              <dt>Load</dt>
              <dd>{result.timings.loadMs.toFixed(1)} ms</dd>
            </div>
            <div>
              <dt>Wall time</dt>
              <dd data-testid="wall-ms">{result.timings.wallMs.toFixed(1)} ms</dd>
            </div>
            <div>
              <dt>CPU (all calls)</dt>
              <dd data-testid="cpu-ms">{result.timings.cpuMs.toFixed(1)} ms</dd>
            </div>
            <div>
              <dt>Slowest call (CPU)</dt>
              <dd>{result.timings.maxCallCpuMs.toFixed(1)} ms</dd>
            </div>
          </dl>
          {result.errors.length > 0 && (
            <ul className="error" role="alert">
              {result.errors.map((x, i) => (
                <li key={i}>
                  <code>{x.code}</code> {x.message} (seq {x.fromSeq}–{x.toSeq})
                </li>
              ))}
            </ul>
          )}
          <div className="table-scroll scroll-y">
            <table data-testid="test-outputs">
              <caption>Outputs (latest value per stat and subject)</caption>
              <thead>
                <tr>
                  <th scope="col">Subject</th>
                  <th scope="col">Stat</th>
                  <th scope="col" className="num">
                    Value
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.outputs.map((o) => (
                  <tr key={`${o.subject.kind}:${o.subject.id}:${o.stat}`}>
                    <th scope="row">
                      {o.subject.kind === 'match' ? 'match' : (names.get(`${o.subject.kind}:${o.subject.id}`) ?? `${o.subject.kind} ${o.subject.id}`)}
                    </th>
                    <td>{o.stat}</td>
                    <td className="num">{String(o.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {result.logs.length > 0 && (
            <details>
              <summary>Logs ({result.logs.length}{result.logsDropped ? `, ${result.logsDropped} dropped` : ''})</summary>
              <pre>{result.logs.join('\n')}</pre>
            </details>
          )}
        </div>
      )}
    </section>
  );
}

/** The runtime's series of this plugin on this server (GET /v1/plugins/{name}/metrics: the organisation's own only). */
function Metrics({ name }: { name: string }) {
  const m = useLoad(async () => (await unwrap(sessionApi().GET('/v1/plugins/{name}/metrics', { params: { path: { name } } }))).data, [name]);
  return (
    <details className="metrics" data-testid="plugin-metrics">
      <summary>Runtime metrics of {name} on this server ({m.data?.length ?? 0} series)</summary>
      <LoadError error={m.error} />
      {m.data && m.data.length === 0 && <p className="muted">None yet: the processor has not run it here.</p>}
      {m.data && m.data.length > 0 && (
        <div className="table-scroll">
          <table>
            <caption>Prometheus series (counters since this server started)</caption>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Labels</th>
                <th scope="col" className="num">
                  Value
                </th>
              </tr>
            </thead>
            <tbody>
              {m.data.map((x) => {
                const labels = [`version=${x.version}`, ...Object.entries(x.labels).map(([k, v]) => `${k}=${v}`)].join(', ');
                const line = `${x.metric}{${labels}}`;
                return (
                  <tr key={line} data-metric-line={line}>
                    <th scope="row">
                      <code>{x.metric}</code>
                    </th>
                    <td>{labels}</td>
                    <td className="num">{Number.isInteger(x.value) ? x.value : x.value.toFixed(4)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <button type="button" className="secondary" onClick={m.reload}>
        Refresh metrics
      </button>
    </details>
  );
}
