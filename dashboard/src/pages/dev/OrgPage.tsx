// Organisation: create one; its members and pending invitations; invite by email, change a role,
// remove a member or leave. The server applies the rules (admins manage members, only owners touch
// owners, the last owner stays): its refusals are shown as they come.
import { useState, type FormEvent } from 'react';
import { unwrap } from '@clutch/sdk';
import { noContent, refreshMe, sessionApi, type Me } from '../../session.ts';
import { Card, LoadError, OutcomeNote, useAction, useLoad, when } from './common.tsx';

const ROLES = ['viewer', 'developer', 'admin', 'owner'] as const;
type Role = (typeof ROLES)[number];

export function OrgPage({ me }: { me: Me }) {
  return (
    <>
      <h1>Organisation</h1>
      {me.currentOrg ? <Members key={me.currentOrg} me={me} org={me.currentOrg} /> : <p data-testid="no-org">You are in no organisation yet. Create one (you will be its owner), or ask an admin to invite your email.</p>}
      <CreateOrg />
    </>
  );
}

function CreateOrg() {
  const [name, setName] = useState('');
  const [id, setId] = useState('');
  const a = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await a.run(
      () => unwrap(sessionApi().POST('/v1/orgs', { body: { name: name.trim(), ...(id.trim() ? { id: id.trim() } : {}) } })),
      (o) => `Created ${o.name} (${o.id}); you are its owner and it is your current organisation.`,
    );
    if (r) {
      setName('');
      setId('');
      await refreshMe();
    }
  };
  return (
    <Card title="Create an organisation" id="create-org-h" testId="create-org">
      <form onSubmit={(e) => void submit(e)}>
        <label className="field block" htmlFor="org-name">
          Name
        </label>
        <input id="org-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        <label className="field block" htmlFor="org-id">
          Id (optional)
        </label>
        <input id="org-id" pattern="[a-z0-9][a-z0-9\-]{1,38}[a-z0-9]" value={id} onChange={(e) => setId(e.target.value)} aria-describedby="org-id-help" />
        <p id="org-id-help" className="muted">
          The tenant id of every API answer: 3 to 40 lower-case letters, digits and dashes. Made from the name when empty.
        </p>
        <button type="submit" disabled={a.busy}>
          Create organisation
        </button>
      </form>
      <OutcomeNote outcome={a.outcome} testId="create-org" />
    </Card>
  );
}

function Members({ me, org }: { me: Me; org: string }) {
  const list = useLoad(() => unwrap(sessionApi().GET('/v1/orgs/{org}/members', { params: { path: { org } } })), [org]);
  const a = useAction();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const canManage = me.role === 'admin' || me.role === 'owner';
  const name = me.organisations.find((o) => o.id === org)?.name ?? org;

  const invite = async (e: FormEvent) => {
    e.preventDefault();
    const r = await a.run(() => unwrap(sessionApi().POST('/v1/orgs/{org}/members', { params: { path: { org } }, body: { email: email.trim(), role } })), (r) => (r.status === 'added' ? `${email} had an account: added as ${role}.` : `Invitation sent to ${email} (${role}); it is accepted when they sign in with this verified email.`));
    if (r) {
      setEmail('');
      list.reload();
    }
  };
  const changeRole = async (user: string, to: Role) => {
    if (await a.run(() => unwrap(sessionApi().PATCH('/v1/orgs/{org}/members/{user}', { params: { path: { org, user } }, body: { role: to } })), (m) => `${m.user.name} is now ${m.role}.`)) {
      list.reload();
      if (user === me.user.id) await refreshMe();
    }
  };
  const remove = async (user: string, who: string) => {
    const self = user === me.user.id;
    if (!confirm(self ? `Leave ${name}?` : `Remove ${who} from ${name}?`)) return;
    if ((await a.run(() => noContent(sessionApi().DELETE('/v1/orgs/{org}/members/{user}', { params: { path: { org, user } } })), () => (self ? `You left ${name}.` : `${who} was removed.`))) === true) {
      if (self) await refreshMe();
      else list.reload();
    }
  };
  const cancel = async (id: string, mail: string) => {
    if ((await a.run(() => noContent(sessionApi().DELETE('/v1/orgs/{org}/invitations/{id}', { params: { path: { org, id } } })), () => `The invitation of ${mail} was cancelled.`)) === true) list.reload();
  };

  return (
    <Card title={`Members of ${name}`} id="members-h" testId="members">
      <p className="muted">
        Organisation id <code data-testid="org-id">{org}</code> · your role: {me.role}
      </p>
      <LoadError error={list.error} />
      <OutcomeNote outcome={a.outcome} testId="members" />
      {list.data && (
        <div className="table-scroll">
          <table>
            <caption>Members</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((m) => (
                <tr key={m.user.id} data-user-id={m.user.id}>
                  <th scope="row">
                    {m.user.name}
                    {m.user.id === me.user.id ? <span className="muted"> (you)</span> : null}
                  </th>
                  <td>{m.user.email ?? '—'}</td>
                  <td>
                    {canManage ? (
                      <select aria-label={`Role of ${m.user.name}`} value={m.role} disabled={a.busy} onChange={(e) => void changeRole(m.user.id, e.target.value as Role)}>
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    ) : (
                      m.role
                    )}
                  </td>
                  <td>{when(m.joinedAt)}</td>
                  <td>
                    {(canManage || m.user.id === me.user.id) && (
                      <button type="button" className="danger" disabled={a.busy} onClick={() => void remove(m.user.id, m.user.name)}>
                        {m.user.id === me.user.id ? 'Leave' : `Remove`}
                        <span className="sr-only"> {m.user.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data.invitations.length > 0 && (
            <table data-testid="invitations">
              <caption>Pending invitations</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.invitations.map((i) => (
                  <tr key={i.id}>
                    <th scope="row">{i.email}</th>
                    <td>{i.role}</td>
                    <td>{when(i.expiresAt)}</td>
                    <td>
                      {canManage && (
                        <button type="button" className="secondary" disabled={a.busy} onClick={() => void cancel(i.id, i.email)}>
                          Cancel<span className="sr-only"> the invitation of {i.email}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      {canManage && (
        <form onSubmit={(e) => void invite(e)} className="inline-form" aria-labelledby="invite-h">
          <h3 id="invite-h">Invite by email</h3>
          <label className="field">
            <span>Email</span>
            <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
          </label>
          <label className="field">
            <span>Role</span>
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={a.busy}>
            Invite
          </button>
        </form>
      )}
    </Card>
  );
}
