// Apps and their credentials (scope apps:manage): OAuth2 clients (client id + secret, exchanged at
// POST /oauth/token) and API keys. A new secret is in the creation answer only: shown once, with a
// copy button and a warning. Rotating = a new credential with the same kind, name and scopes, shown
// once; the old one works until revoked (deploy the new secret first: no downtime).
import { useState, type FormEvent } from 'react';
import { unwrap, type paths } from '@clutch/sdk';
import { noContent, sessionApi, type Me } from '../../session.ts';
import { Card, LoadError, OutcomeNote, SecretOnce, useAction, useLoad, when } from './common.tsx';

type Credential = paths['/v1/apps/{appId}']['get']['responses'][200]['content']['application/json']['credentials'][number];
type NewCredential = paths['/v1/apps/{appId}/credentials']['post']['responses'][201]['content']['application/json'];
type Scope = Credential['scopes'][number];
type Kind = Credential['kind'];

export function AppsPage({ me }: { me: Me }) {
  const apps = useLoad(() => unwrap(sessionApi().GET('/v1/apps')).then((r) => r.data), []);
  const [selected, setSelected] = useState<string>();
  const [name, setName] = useState('');
  const a = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const r = await a.run(() => unwrap(sessionApi().POST('/v1/apps', { body: { name: name.trim() } })), (x) => `Created app ${x.name}.`);
    if (r) {
      setName('');
      setSelected(r.id);
      apps.reload();
    }
  };
  const current = apps.data?.find((x) => x.id === selected);
  return (
    <>
      <h1>Apps</h1>
      <Card title="Your organisation's apps" id="apps-h" testId="apps">
        <LoadError error={apps.error} />
        {apps.data && apps.data.length === 0 && <p className="muted">No app yet. An app holds the credentials your code calls the API with.</p>}
        {apps.data && apps.data.length > 0 && (
          <ul className="pick-list">
            {apps.data.map((x) => (
              <li key={x.id}>
                <button type="button" className={x.id === selected ? 'pick selected' : 'pick'} aria-pressed={x.id === selected} onClick={() => setSelected(x.id)} data-app-id={x.id}>
                  {x.name}
                </button>{' '}
                <code className="muted">{x.id}</code> <span className="muted">created {when(x.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
        <form onSubmit={(e) => void create(e)} className="inline-form">
          <label className="field">
            <span>New app name</span>
            <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="submit" disabled={a.busy}>
            Create app
          </button>
        </form>
        <OutcomeNote outcome={a.outcome} testId="create-app" />
      </Card>
      {current && (
        <AppDetail
          key={current.id}
          me={me}
          appId={current.id}
          name={current.name}
          onDeleted={() => {
            setSelected(undefined);
            apps.reload();
          }}
        />
      )}
    </>
  );
}

function AppDetail({ me, appId, name, onDeleted }: { me: Me; appId: string; name: string; onDeleted: () => void }) {
  const app = useLoad(() => unwrap(sessionApi().GET('/v1/apps/{appId}', { params: { path: { appId } } })), [appId]);
  const a = useAction();
  const [fresh, setFresh] = useState<NewCredential>();
  const [kind, setKind] = useState<Kind>('client');
  const [credName, setCredName] = useState('');
  const [expires, setExpires] = useState('');
  const grantable = me.scopes as Scope[];
  const [scopes, setScopes] = useState<Scope[]>(grantable.filter((s) => s === 'matches:read' || s === 'live:read' || s === 'usage:read'));

  const issue = async (body: { kind: Kind; scopes: Scope[]; name?: string; expiresInDays?: number }, what: string) => {
    setFresh(undefined);
    const r = await a.run(() => unwrap(sessionApi().POST('/v1/apps/{appId}/credentials', { params: { path: { appId } }, body })), () => what);
    if (r) {
      setFresh(r);
      app.reload();
    }
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    const days = Number(expires);
    void issue({ kind, scopes, ...(credName.trim() ? { name: credName.trim() } : {}), ...(expires && days > 0 ? { expiresInDays: days } : {}) }, `Created ${kind === 'client' ? 'an OAuth2 client' : 'an API key'}.`);
  };
  const rotate = (c: Credential) => void issue({ kind: c.kind, scopes: c.scopes, ...(c.name ? { name: c.name } : {}) }, `Created the replacement of ${c.name || c.id}. Deploy the new secret, then revoke the old credential (${c.id}).`);
  const revoke = async (c: Credential) => {
    if (!confirm(`Revoke ${c.name || 'the credential'} (${c.id})? Calls with it stop working within 30 seconds.`)) return;
    if ((await a.run(() => noContent(sessionApi().DELETE('/v1/apps/{appId}/credentials/{id}', { params: { path: { appId, id: c.id } } })), () => `Revoked ${c.id}.`)) === true) app.reload();
  };
  const remove = async () => {
    if (!confirm(`Delete the app ${name} and every credential of it?`)) return;
    if ((await a.run(() => noContent(sessionApi().DELETE('/v1/apps/{appId}', { params: { path: { appId } } })))) === true) onDeleted();
  };
  const toggle = (s: Scope) => setScopes((x) => (x.includes(s) ? x.filter((y) => y !== s) : [...x, s]));

  return (
    <Card title={`App ${name}: credentials`} id="app-detail-h" testId="app-detail">
      <LoadError error={app.error} />
      <OutcomeNote outcome={a.outcome} testId="credentials" />
      {fresh && (
        <div className="once" role="region" aria-labelledby="once-h" data-testid="new-secret" data-credential-id={fresh.id}>
          <h3 id="once-h">Copy the secret now: it is shown only once</h3>
          <p className="warning">
            Clutch keeps only a hash of it. When you leave or reload this page it cannot be shown again; if you lose it, rotate the credential.
          </p>
          {fresh.clientId && <SecretOnce label="Client id" value={fresh.clientId} testId="client-id" />}
          {fresh.clientSecret && <SecretOnce label="Client secret" value={fresh.clientSecret} testId="client-secret" />}
          {fresh.apiKey && <SecretOnce label="API key" value={fresh.apiKey} testId="api-key" />}
          <button type="button" className="secondary" onClick={() => setFresh(undefined)}>
            I have stored it: hide
          </button>
        </div>
      )}
      {app.data && (
        <div className="table-scroll">
          <table data-testid="credentials">
            <caption>Credentials</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Id</th>
                <th scope="col">Secret ends</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {app.data.credentials.length === 0 && (
                <tr>
                  <td colSpan={10} className="muted">
                    No credential yet.
                  </td>
                </tr>
              )}
              {app.data.credentials.map((c) => (
                <tr key={c.id} data-credential-id={c.id}>
                  <th scope="row">{c.name || <span className="muted">(unnamed)</span>}</th>
                  <td>{c.kind === 'client' ? 'OAuth2 client' : 'API key'}</td>
                  <td>
                    <code>{c.id}</code>
                  </td>
                  <td>…{c.hint}</td>
                  <td className="wrap">{c.scopes.join(' ')}</td>
                  <td>{when(c.createdAt)}</td>
                  <td>{when(c.lastUsedAt)}</td>
                  <td>{when(c.expiresAt)}</td>
                  <td>{c.revokedAt ? `revoked ${when(c.revokedAt)}` : 'live'}</td>
                  <td className="actions">
                    {!c.revokedAt && (
                      <>
                        <button type="button" className="secondary" disabled={a.busy} onClick={() => rotate(c)}>
                          Rotate<span className="sr-only"> {c.name || c.id}</span>
                        </button>
                        <button type="button" className="danger" disabled={a.busy} onClick={() => void revoke(c)}>
                          Revoke<span className="sr-only"> {c.name || c.id}</span>
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form onSubmit={create} aria-labelledby="new-cred-h">
        <h3 id="new-cred-h">New credential</h3>
        <fieldset>
          <legend>Kind</legend>
          <label className="check">
            <input type="radio" name="kind" value="client" checked={kind === 'client'} onChange={() => setKind('client')} /> OAuth2 client (client credentials: short-lived access tokens)
          </label>
          <label className="check">
            <input type="radio" name="kind" value="api_key" checked={kind === 'api_key'} onChange={() => setKind('api_key')} /> API key (sent as is on every call)
          </label>
        </fieldset>
        <fieldset>
          <legend>Scopes (only those your role holds)</legend>
          {grantable.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} value={s} /> <code>{s}</code>
            </label>
          ))}
        </fieldset>
        <div className="inline-form">
          <label className="field">
            <span>Name (optional)</span>
            <input value={credName} maxLength={100} onChange={(e) => setCredName(e.target.value)} />
          </label>
          <label className="field">
            <span>Expires in days (optional)</span>
            <input type="number" min={1} max={3650} value={expires} onChange={(e) => setExpires(e.target.value)} />
          </label>
        </div>
        <button type="submit" disabled={a.busy || scopes.length === 0}>
          Create credential
        </button>
      </form>
      <p>
        <button type="button" className="danger" onClick={() => void remove()} disabled={a.busy}>
          Delete app {name}
        </button>
      </p>
    </Card>
  );
}
