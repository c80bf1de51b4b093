// Webhooks (scope webhooks:manage): subscriptions (create — the signing secret shown once —, edit,
// enable/disable, rotate the secret, send a test ping, delete) and each one's delivery log with
// attempts, and redelivery.
import { useState, type FormEvent } from 'react';
import { unwrap, type paths } from '@clutch/sdk';
import { noContent, sessionApi, type Me } from '../../session.ts';
import { Card, LoadError, OutcomeNote, SecretOnce, useAction, useLoad, when } from './common.tsx';

type Webhook = paths['/v1/webhooks']['get']['responses'][200]['content']['application/json']['data'][number];
type EventType = NonNullable<NonNullable<paths['/v1/webhooks']['post']['requestBody']>['content']['application/json']['events']>[number];
const EVENTS: EventType[] = ['match.started', 'match.ended', 'round.ended', 'series.live'];

export function WebhooksPage({ me }: { me: Me }) {
  const list = useLoad(() => unwrap(sessionApi().GET('/v1/webhooks')).then((r) => r.data), [me.currentOrg]);
  const [selected, setSelected] = useState<string>();
  const [secret, setSecret] = useState<{ id: string; secret: string }>();
  const a = useAction();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<EventType[]>(['match.ended']);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setSecret(undefined);
    const r = await a.run(() => unwrap(sessionApi().POST('/v1/webhooks', { body: { url: url.trim(), description, events } })), (w) => `Created the webhook to ${w.url}.`);
    if (r) {
      setSecret({ id: r.id, secret: r.secret });
      setUrl('');
      setDescription('');
      setSelected(r.id);
      list.reload();
    }
  };
  const current = list.data?.find((w) => w.id === selected);
  return (
    <>
      <h1>Webhooks</h1>
      <Card title="Subscriptions" id="webhooks-h" testId="webhooks">
        <LoadError error={list.error} />
        <OutcomeNote outcome={a.outcome} testId="webhooks" />
        {secret && (
          <div className="once" role="region" aria-labelledby="wh-once-h">
            <h3 id="wh-once-h">Copy the signing secret now: it is shown only once</h3>
            <p className="warning">Verify each delivery's Clutch-Signature with it (the SDK's verifyWebhook). It cannot be shown again; rotate it if lost.</p>
            <SecretOnce label="Signing secret" value={secret.secret} testId="webhook-secret" />
          </div>
        )}
        {list.data && list.data.length === 0 && <p className="muted">No webhook yet.</p>}
        {list.data && list.data.length > 0 && (
          <div className="table-scroll">
            <table>
              <caption>Webhooks</caption>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Enabled</th>
                  <th scope="col">Secret</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((w) => (
                  <tr key={w.id}>
                    <th scope="row">
                      <button type="button" className={w.id === selected ? 'pick selected' : 'pick'} aria-pressed={w.id === selected} onClick={() => setSelected(w.id)}>
                        {w.url}
                      </button>
                      {w.description ? <div className="muted">{w.description}</div> : null}
                    </th>
                    <td className="wrap">{[...w.events, ...w.thresholds.map((t) => `${t.stat} ${t.op} ${t.value}`)].join(', ') || '—'}</td>
                    <td>{w.enabled ? 'yes' : 'no'}</td>
                    <td>
                      <code>{w.secretHint}</code>
                    </td>
                    <td>{when(w.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <form onSubmit={(e) => void create(e)} aria-labelledby="new-wh-h">
          <h3 id="new-wh-h">New webhook</h3>
          <label className="field block" htmlFor="wh-url">
            URL (receives POSTs)
          </label>
          <input id="wh-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/hooks/clutch" />
          <label className="field block" htmlFor="wh-desc">
            Description (optional)
          </label>
          <input id="wh-desc" maxLength={256} value={description} onChange={(e) => setDescription(e.target.value)} />
          <EventPicker value={events} onChange={setEvents} />
          <button type="submit" disabled={a.busy}>
            Create webhook
          </button>
        </form>
      </Card>
      {current && (
        <WebhookDetail
          key={current.id}
          w={current}
          onChanged={list.reload}
          onSecret={(s) => setSecret({ id: current.id, secret: s })}
          onDeleted={() => {
            setSelected(undefined);
            list.reload();
          }}
        />
      )}
    </>
  );
}

function EventPicker({ value, onChange }: { value: EventType[]; onChange: (v: EventType[]) => void }) {
  return (
    <fieldset>
      <legend>Events</legend>
      {EVENTS.map((ev) => (
        <label key={ev} className="check">
          <input type="checkbox" checked={value.includes(ev)} onChange={() => onChange(value.includes(ev) ? value.filter((x) => x !== ev) : [...value, ev])} /> <code>{ev}</code>
        </label>
      ))}
    </fieldset>
  );
}

function WebhookDetail({ w, onChanged, onSecret, onDeleted }: { w: Webhook; onChanged: () => void; onSecret: (s: string) => void; onDeleted: () => void }) {
  const id = w.id;
  const deliveries = useLoad(() => unwrap(sessionApi().GET('/v1/webhooks/{id}/deliveries', { params: { path: { id }, query: { limit: 50 } } })), [id]);
  const a = useAction();
  const [url, setUrl] = useState(w.url);
  const [description, setDescription] = useState(w.description);
  const [events, setEvents] = useState<EventType[]>(w.events as EventType[]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (await a.run(() => unwrap(sessionApi().PATCH('/v1/webhooks/{id}', { params: { path: { id } }, body: { url: url.trim(), description, events } })), () => 'Saved.')) onChanged();
  };
  const toggle = async () => {
    if (await a.run(() => unwrap(sessionApi().PATCH('/v1/webhooks/{id}', { params: { path: { id } }, body: { enabled: !w.enabled } })), (r) => (r.enabled ? 'Enabled.' : 'Disabled: no delivery until enabled again.'))) onChanged();
  };
  const rotate = async () => {
    const r = await a.run(() => unwrap(sessionApi().POST('/v1/webhooks/{id}/rotate-secret', { params: { path: { id } }, body: {} })), () => 'New signing secret: the previous one keeps signing during the grace period.');
    if (r) {
      onSecret(r.secret);
      onChanged();
    }
  };
  const ping = async () => {
    if (await a.run(() => unwrap(sessionApi().POST('/v1/webhooks/{id}/test', { params: { path: { id } } })), () => 'A ping delivery was queued.')) deliveries.reload();
  };
  const remove = async () => {
    if (!confirm(`Delete the webhook to ${w.url}?`)) return;
    if ((await a.run(() => noContent(sessionApi().DELETE('/v1/webhooks/{id}', { params: { path: { id } } })))) === true) onDeleted();
  };
  const redeliver = async (deliveryId: string) => {
    if (await a.run(() => unwrap(sessionApi().POST('/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id, deliveryId } } })), () => 'Redelivery queued (same Clutch-Delivery-Id).')) deliveries.reload();
  };
  return (
    <Card title={`Webhook ${w.url}`} id="wh-detail-h" testId="webhook-detail">
      <OutcomeNote outcome={a.outcome} testId="webhook" />
      <div className="button-row">
        <button type="button" className="secondary" disabled={a.busy} onClick={() => void toggle()}>
          {w.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className="secondary" disabled={a.busy} onClick={() => void rotate()}>
          Rotate the signing secret
        </button>
        <button type="button" className="secondary" disabled={a.busy} onClick={() => void ping()}>
          Send a test ping
        </button>
        <button type="button" className="danger" disabled={a.busy} onClick={() => void remove()}>
          Delete
        </button>
      </div>
      {w.previousSecretExpiresAt && <p className="muted">The previous secret signs too until {when(w.previousSecretExpiresAt)}.</p>}
      <form onSubmit={(e) => void save(e)} aria-labelledby="edit-wh-h">
        <h3 id="edit-wh-h">Edit</h3>
        <label className="field block" htmlFor="wh-edit-url">
          URL
        </label>
        <input id="wh-edit-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
        <label className="field block" htmlFor="wh-edit-desc">
          Description
        </label>
        <input id="wh-edit-desc" maxLength={256} value={description} onChange={(e) => setDescription(e.target.value)} />
        <EventPicker value={events} onChange={setEvents} />
        <button type="submit" disabled={a.busy}>
          Save
        </button>
      </form>
      <h3>Delivery log</h3>
      <LoadError error={deliveries.error} />
      <button type="button" className="secondary" onClick={deliveries.reload}>
        Refresh the log
      </button>
      {deliveries.data && (
        <div className="table-scroll">
          <table data-testid="deliveries">
            <caption>Latest deliveries</caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last answer</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.data.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    No delivery yet.
                  </td>
                </tr>
              )}
              {deliveries.data.data.map((d) => (
                <tr key={d.id}>
                  <th scope="row">{when(d.createdAt)}</th>
                  <td>
                    {d.type}
                    {d.matchId ? <span className="muted"> · {d.matchId}</span> : null}
                  </td>
                  <td className={d.status === 'failed' ? 'error' : d.status === 'succeeded' ? 'ok' : ''}>
                    {d.status}
                    {d.nextAttemptAt ? <span className="muted"> (next {when(d.nextAttemptAt)})</span> : null}
                  </td>
                  <td className="num">
                    {d.attempts}/{d.maxAttempts}
                  </td>
                  <td className="wrap">{d.lastStatusCode ?? d.lastError ?? '—'}</td>
                  <td>
                    <button type="button" className="secondary" disabled={a.busy} onClick={() => void redeliver(d.id)}>
                      Redeliver<span className="sr-only"> the delivery of {when(d.createdAt)}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
