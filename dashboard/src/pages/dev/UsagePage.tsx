// Usage (scope usage:read): the plan, the rate budgets of each route class, live connections and the
// monthly API-call quota (GET /v1/usage), and the month's usage from the ledger (GET
// /v1/usage/ledger): a chart of API calls per day against the quota, and totals per app and unit.
// The ledger trails real time by the flush interval (CLUTCH_USAGE_FLUSH_MS): the page reads it again
// every 5 s while visible.
import { useMemo } from 'react';
import { unwrap } from '@clutch/sdk';
import { sessionApi, type Me } from '../../session.ts';
import { UsageChart, type UsageSeries } from '../../components/UsageChart.tsx';
import { Card, LoadError, useLoad, when } from './common.tsx';

const POLL_MS = 5000;

export function UsagePage({ me }: { me: Me }) {
  const usage = useLoad(() => unwrap(sessionApi().GET('/v1/usage')), [me.currentOrg], POLL_MS);
  const ledger = useLoad(() => unwrap(sessionApi().GET('/v1/usage/ledger')), [me.currentOrg], POLL_MS);
  const apps = useLoad(() => (me.scopes.includes('apps:manage') ? unwrap(sessionApi().GET('/v1/apps')).then((r) => r.data) : Promise.resolve([])), [me.currentOrg]);
  const appName = (id: string) => (id === '-' ? 'no app (dashboard sessions, live, plugins, ingest)' : (apps.data?.find((a) => a.id === id)?.name ?? id));

  const series = useMemo<UsageSeries | undefined>(() => {
    if (!ledger.data) return undefined;
    const days: string[] = [];
    for (let t = Date.parse(`${ledger.data.from}T00:00:00Z`); t <= Date.parse(`${ledger.data.to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
    const per = new Map<string, number>();
    for (const r of ledger.data.data) if (r.unit === 'api_call') per.set(r.day, (per.get(r.day) ?? 0) + r.quantity);
    return { days, calls: days.map((d) => per.get(d) ?? 0), quota: usage.data?.monthlyApiCalls?.limit ?? null };
  }, [ledger.data, usage.data?.monthlyApiCalls?.limit]);

  const byApp = useMemo(() => {
    const m = new Map<string, number>();
    for (const r of ledger.data?.data ?? []) m.set(`${r.app}\u0000${r.unit}`, (m.get(`${r.app}\u0000${r.unit}`) ?? 0) + r.quantity);
    return [...m].map(([k, q]) => ({ app: k.split('\u0000')[0]!, unit: k.split('\u0000')[1]!, quantity: q })).sort((a, b) => a.app.localeCompare(b.app) || a.unit.localeCompare(b.unit));
  }, [ledger.data]);

  const u = usage.data;
  const q = u?.monthlyApiCalls;
  return (
    <>
      <h1>Usage</h1>
      <Card title="Plan and limits" id="plan-h" testId="usage-plan">
        <LoadError error={usage.error} />
        {u && (
          <>
            <p>
              Plan <strong data-testid="plan-name">{u.plan.name}</strong> <span className="muted">({u.plan.id})</span>
              {!u.enforced && <span className="muted"> · limits are not enforced on this server</span>}
            </p>
            <dl className="facts">
              <div>
                <dt>Live connections</dt>
                <dd data-testid="live-connections">
                  {u.liveConnections.open} open of {u.liveConnections.limit}
                </dd>
              </div>
              <div>
                <dt>Active plugins allowed</dt>
                <dd>{u.plan.activePlugins}</dd>
              </div>
              <div>
                <dt>API calls this month (as the quota counts them, refreshed about every 10 s)</dt>
                <dd data-testid="monthly-quota">
                  {q ? (
                    <>
                      {q.used.toLocaleString('en')} of {q.limit.toLocaleString('en')}{' '}
                      <meter min={0} max={q.limit} value={q.used} aria-label="Share of the monthly quota used" /> <span className="muted">resets {when(q.resetsAt)}</span>
                    </>
                  ) : (
                    'no monthly quota'
                  )}
                </dd>
              </div>
            </dl>
            <div className="table-scroll">
              <table data-testid="budgets">
                <caption>Rate budgets of this session (per app and route class)</caption>
                <thead>
                  <tr>
                    <th scope="col">Class</th>
                    <th scope="col" className="num">
                      Limit
                    </th>
                    <th scope="col" className="num">
                      Window (s)
                    </th>
                    <th scope="col" className="num">
                      Remaining
                    </th>
                    <th scope="col" className="num">
                      Full again in (s)
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(u.budgets).map(([cls, b]) => (
                    <tr key={cls}>
                      <th scope="row">{cls}</th>
                      <td className="num">{b.limit}</td>
                      <td className="num">{b.windowSeconds}</td>
                      <td className="num">{b.remaining}</td>
                      <td className="num">{b.resetSeconds}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Card>
      <Card title="Usage ledger" id="ledger-h" testId="usage-ledger">
        <LoadError error={ledger.error} />
        {series && <UsageChart series={series} description={`${series.calls.reduce((a, b) => a + b, 0)} API calls from ${ledger.data!.from} to ${ledger.data!.to} (UTC days)${series.quota !== null ? `, against a monthly quota of ${series.quota.toLocaleString('en')}` : ''}. The ledger trails real time by a few seconds.`} />}
        {ledger.data && (
          <div className="table-scroll">
            <table data-testid="usage-by-app">
              <caption>
                Totals per app and unit, {ledger.data.from} to {ledger.data.to}
              </caption>
              <thead>
                <tr>
                  <th scope="col">App</th>
                  <th scope="col">Unit</th>
                  <th scope="col" className="num">
                    Quantity
                  </th>
                </tr>
              </thead>
              <tbody>
                {byApp.length === 0 && (
                  <tr>
                    <td colSpan={3} className="muted">
                      Nothing counted yet this month.
                    </td>
                  </tr>
                )}
                {byApp.map((r) => (
                  <tr key={`${r.app}:${r.unit}`} data-app={r.app} data-unit={r.unit}>
                    <th scope="row">{appName(r.app)}</th>
                    <td>
                      <code>{r.unit}</code>
                    </td>
                    <td className="num" data-testid="quantity">
                      {r.quantity.toLocaleString('en')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
