// Users, their organisations and dashboard sessions (migration 0010, docs/auth.md). Queries about an
// organisation are scoped to it (memberships, invitations); the others are about one user, found by
// the identity a provider vouched for or by the session the cookie carries.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { atLeast, isRole, type Role } from '../auth/roles.ts';
import { hashSessionId, SessionCookies } from '../auth/session.ts';
import type { Db } from './db.ts';

export interface UserInfo {
  id: string;
  email: string | null;
  name: string;
  createdAt: Date;
}

export interface OrgMembership {
  org: string;
  name: string;
  role: Role;
  joinedAt: Date;
}

export interface Member {
  user: { id: string; email: string | null; name: string };
  role: Role;
  joinedAt: Date;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
}

export interface SessionInfo {
  hash: string;
  user: UserInfo;
  /** The organisation the session acts in, and the user's role there now (undefined: none). */
  org: string | undefined;
  role: Role | undefined;
  expiresAt: Date;
}

/** Why a change of membership was refused (the route maps each to an error). */
export type MemberProblem = 'not_member' | 'admin_required' | 'owner_required' | 'last_owner' | 'already_member' | 'member_limit';

const INVITATION_TTL_MS = 14 * 86_400_000;
export const MAX_MEMBERS = 500;
export const MAX_PENDING_INVITATIONS = 100;

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const role = (s: string): Role => {
  if (!isRole(s)) throw new Error(`unknown role ${s} in the store`);
  return s;
};
const userOf = (r: { id: string; email: string | null; name: string; created_at: Date }): UserInfo => ({ id: r.id, email: r.email, name: r.name, createdAt: r.created_at });
const run = <T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> => (db.isTransaction ? fn(db) : db.transaction().execute(fn));

/**
 * The user a provider identity belongs to, created on first sign-in; accepts the pending invitations
 * of its verified email. A new identity whose verified email already belongs to another user is
 * refused ('email_taken'): accounts are never linked by email alone (a provider that vouched for an
 * email it does not control must not take over someone else's account).
 */
export async function signIn(db: Db, i: { provider: string; subject: string; email: string | undefined; name: string }): Promise<{ user: UserInfo; accepted: string[] } | { problem: 'email_taken' }> {
  return run(db, async (tx) => {
    const found = await tx.selectFrom('user_identities').innerJoin('users', 'users.id', 'user_identities.user_id').select(['users.id', 'users.email', 'users.name', 'users.created_at']).where('provider', '=', i.provider).where('subject', '=', i.subject).executeTakeFirst();
    let user: UserInfo;
    if (found) {
      // The email follows the provider when it is verified and nobody else has it.
      const emailFree = i.email && i.email !== found.email ? !(await tx.selectFrom('users').select('id').where('email', '=', i.email).executeTakeFirst()) : false;
      const r = await tx
        .updateTable('users')
        .set({ last_login_at: new Date(), ...(i.name ? { name: i.name.slice(0, 200) } : {}), ...(emailFree ? { email: i.email } : {}) })
        .where('id', '=', found.id)
        .returning(['id', 'email', 'name', 'created_at'])
        .executeTakeFirstOrThrow();
      user = userOf(r);
    } else {
      if (i.email && (await tx.selectFrom('users').select('id').where('email', '=', i.email).executeTakeFirst())) return { problem: 'email_taken' as const };
      const r = await tx
        .insertInto('users')
        .values({ id: newId('usr'), email: i.email ?? null, name: i.name.slice(0, 200), last_login_at: new Date() })
        .returning(['id', 'email', 'name', 'created_at'])
        .executeTakeFirstOrThrow();
      await tx.insertInto('user_identities').values({ provider: i.provider, subject: i.subject, user_id: r.id }).execute();
      user = userOf(r);
    }
    const accepted = user.email ? await acceptInvitations(tx, user.id, user.email) : [];
    return { user, accepted };
  });
}

/** Pending, unexpired invitations of a verified email become memberships (an existing membership keeps its role). */
async function acceptInvitations(tx: Db, userId: string, email: string): Promise<string[]> {
  const pending = await tx.selectFrom('invitations').select(['id', 'tenant_id', 'role']).where('email', '=', email).where('accepted_at', 'is', null).where('expires_at', '>', new Date()).forUpdate().execute();
  const orgs: string[] = [];
  for (const inv of pending) {
    await tx.insertInto('memberships').values({ tenant_id: inv.tenant_id, user_id: userId, role: inv.role }).onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing()).execute();
    await tx.updateTable('invitations').set({ accepted_at: new Date(), accepted_by: userId }).where('tenant_id', '=', inv.tenant_id).where('id', '=', inv.id).execute();
    orgs.push(inv.tenant_id);
  }
  return orgs;
}

export async function getUser(db: Db, id: string): Promise<UserInfo | undefined> {
  const r = await db.selectFrom('users').select(['id', 'email', 'name', 'created_at']).where('id', '=', id).executeTakeFirst();
  return r ? userOf(r) : undefined;
}

/** The organisations of a user, oldest membership first. */
export async function listMemberships(db: Db, userId: string): Promise<OrgMembership[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('tenants', 'tenants.id', 'memberships.tenant_id')
    .select(['memberships.tenant_id', 'tenants.name', 'memberships.role', 'memberships.created_at'])
    .where('memberships.user_id', '=', userId)
    .orderBy('memberships.created_at')
    .orderBy('memberships.tenant_id')
    .limit(1000)
    .execute();
  return rows.map((r) => ({ org: r.tenant_id, name: r.name, role: role(r.role), joinedAt: r.created_at }));
}

/** The role of a user in an organisation; undefined when not a member. */
export async function roleIn(db: Db, tenant: string, userId: string): Promise<Role | undefined> {
  const r = await db.selectFrom('memberships').select('role').where('tenant_id', '=', tenant).where('user_id', '=', userId).executeTakeFirst();
  return r ? role(r.role) : undefined;
}

/** The organisation a new session of this user starts in: the last one switched to, else the oldest. */
export async function startingOrg(db: Db, userId: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('memberships')
    .leftJoin('users', (j) => j.onRef('users.id', '=', 'memberships.user_id').onRef('users.default_tenant_id', '=', 'memberships.tenant_id'))
    .select('memberships.tenant_id')
    .where('memberships.user_id', '=', userId)
    .orderBy(sql`users.id is null`)
    .orderBy('memberships.created_at')
    .limit(1)
    .executeTakeFirst();
  return r?.tenant_id;
}

/** Creates an organisation with its creator as owner; false when the id is taken (an existing tenant is never joined this way). */
export async function createOrg(db: Db, o: { id: string; name: string; ownerId: string }): Promise<boolean> {
  return run(db, async (tx) => {
    const created = await tx.insertInto('tenants').values({ id: o.id, name: o.name }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
    if (!created) return false;
    await tx.insertInto('memberships').values({ tenant_id: o.id, user_id: o.ownerId, role: 'owner' }).execute();
    return true;
  });
}

export async function countOwned(db: Db, userId: string): Promise<number> {
  const r = await db.selectFrom('memberships').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).where('role', '=', 'owner').executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function listMembers(db: Db, tenant: string): Promise<{ members: Member[]; invitations: Invitation[] }> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'users.name', 'memberships.role', 'memberships.created_at'])
    .where('memberships.tenant_id', '=', tenant)
    .orderBy('memberships.created_at')
    .orderBy('users.id')
    .limit(MAX_MEMBERS)
    .execute();
  const inv = await db.selectFrom('invitations').select(['id', 'email', 'role', 'created_at', 'expires_at']).where('tenant_id', '=', tenant).where('accepted_at', 'is', null).where('expires_at', '>', new Date()).orderBy('created_at').limit(MAX_PENDING_INVITATIONS).execute();
  return {
    members: rows.map((r) => ({ user: { id: r.id, email: r.email, name: r.name }, role: role(r.role), joinedAt: r.created_at })),
    invitations: inv.map((r) => ({ id: r.id, email: r.email, role: role(r.role), createdAt: r.created_at, expiresAt: r.expires_at })),
  };
}

/**
 * The rules of membership changes (docs/auth.md). `next` null is a removal. Admins manage members but
 * never an owner; only an owner grants the owner role, demotes or removes an owner; nobody demotes or
 * removes the last owner; anyone may leave (except the last owner).
 */
export function membershipProblem(o: { actor: Role; self: boolean; target: Role; next: Role | null; owners: number }): MemberProblem | undefined {
  if (!(o.self && o.next === null) && !atLeast(o.actor, 'admin')) return 'admin_required';
  if ((o.target === 'owner' && !o.self) || o.next === 'owner') {
    if (o.actor !== 'owner') return 'owner_required';
  }
  if (o.target === 'owner' && o.next !== 'owner' && o.owners <= 1) return 'last_owner';
  return undefined;
}

/** Changes a member's role (null: removes them), under the rules above, atomically with the count of owners. */
export async function changeMembership(db: Db, tenant: string, actor: { id: string; role: Role }, targetId: string, next: Role | null): Promise<MemberProblem | Member | 'removed'> {
  return run(db, async (tx) => {
    // Lock the organisation's owner rows: two owners demoting each other at once cannot leave none.
    const owners = await tx.selectFrom('memberships').select('user_id').where('tenant_id', '=', tenant).where('role', '=', 'owner').forUpdate().execute();
    const target = await tx.selectFrom('memberships').select('role').where('tenant_id', '=', tenant).where('user_id', '=', targetId).forUpdate().executeTakeFirst();
    if (!target) return 'not_member';
    const problem = membershipProblem({ actor: actor.role, self: actor.id === targetId, target: role(target.role), next, owners: owners.length });
    if (problem) return problem;
    if (next === null) {
      await tx.deleteFrom('memberships').where('tenant_id', '=', tenant).where('user_id', '=', targetId).execute();
      return 'removed';
    }
    await tx.updateTable('memberships').set({ role: next }).where('tenant_id', '=', tenant).where('user_id', '=', targetId).execute();
    const r = await tx
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['users.id', 'users.email', 'users.name', 'memberships.role', 'memberships.created_at'])
      .where('memberships.tenant_id', '=', tenant)
      .where('memberships.user_id', '=', targetId)
      .executeTakeFirstOrThrow();
    return { user: { id: r.id, email: r.email, name: r.name }, role: role(r.role), joinedAt: r.created_at };
  });
}

/**
 * Adds the user who owns this verified email, or invites the email (accepted at its next sign-in).
 * Inviting an email again replaces its pending invitation.
 */
export async function addOrInvite(db: Db, tenant: string, actor: { id: string; role: Role }, email: string, next: Role): Promise<MemberProblem | { added: Member } | { invited: Invitation }> {
  if (next === 'owner' && actor.role !== 'owner') return 'owner_required';
  if (!atLeast(actor.role, 'admin')) return 'admin_required';
  return run(db, async (tx) => {
    const user = await tx.selectFrom('users').select(['id', 'email', 'name']).where('email', '=', email).executeTakeFirst();
    if (user) {
      const count = await tx.selectFrom('memberships').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant).executeTakeFirstOrThrow();
      if (Number(count.n) >= MAX_MEMBERS) return 'member_limit';
      const r = await tx.insertInto('memberships').values({ tenant_id: tenant, user_id: user.id, role: next }).onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing()).returning(['created_at']).executeTakeFirst();
      if (!r) return 'already_member';
      return { added: { user: { id: user.id, email: user.email, name: user.name }, role: next, joinedAt: r.created_at } };
    }
    const pending = await tx.selectFrom('invitations').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant).where('accepted_at', 'is', null).where('email', '!=', email).executeTakeFirstOrThrow();
    if (Number(pending.n) >= MAX_PENDING_INVITATIONS) return 'member_limit';
    await tx.deleteFrom('invitations').where('tenant_id', '=', tenant).where('email', '=', email).where('accepted_at', 'is', null).execute();
    const r = await tx
      .insertInto('invitations')
      .values({ id: newId('inv'), tenant_id: tenant, email, role: next, invited_by: actor.id, expires_at: new Date(Date.now() + INVITATION_TTL_MS) })
      .returning(['id', 'email', 'role', 'created_at', 'expires_at'])
      .executeTakeFirstOrThrow();
    return { invited: { id: r.id, email: r.email, role: role(r.role), createdAt: r.created_at, expiresAt: r.expires_at } };
  });
}

/** Cancels a pending invitation; an owner invitation only by an owner. */
export async function cancelInvitation(db: Db, tenant: string, actor: Role, id: string): Promise<'not_found' | 'owner_required' | 'cancelled'> {
  const inv = await db.selectFrom('invitations').select('role').where('tenant_id', '=', tenant).where('id', '=', id).where('accepted_at', 'is', null).executeTakeFirst();
  if (!inv) return 'not_found';
  if (inv.role === 'owner' && actor !== 'owner') return 'owner_required';
  await db.deleteFrom('invitations').where('tenant_id', '=', tenant).where('id', '=', id).where('accepted_at', 'is', null).execute();
  return 'cancelled';
}

// Sessions.

export async function createSession(db: Db, s: { userId: string; org: string | undefined; provider: string; ttlSeconds: number }): Promise<{ id: string; hash: string; expiresAt: Date }> {
  const id = SessionCookies.newSessionId();
  const hash = hashSessionId(id);
  const expiresAt = new Date(Date.now() + s.ttlSeconds * 1000);
  await db.insertInto('sessions').values({ id_hash: hash, user_id: s.userId, tenant_id: s.org ?? null, provider: s.provider, expires_at: expiresAt }).execute();
  // Housekeeping, bounded: sessions expired for a day go.
  await db.deleteFrom('sessions').where('id_hash', 'in', (eb) => eb.selectFrom('sessions').select('id_hash').where('expires_at', '<', new Date(Date.now() - 86_400_000)).limit(100)).execute();
  return { id, hash, expiresAt };
}

/** A live session (not expired, not revoked) with its user, organisation and the role there now. */
export async function findSession(db: Db, id: string): Promise<SessionInfo | undefined> {
  const r = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .leftJoin('memberships', (j) => j.onRef('memberships.tenant_id', '=', 'sessions.tenant_id').onRef('memberships.user_id', '=', 'sessions.user_id'))
    .select(['sessions.id_hash', 'sessions.expires_at', 'users.id', 'users.email', 'users.name', 'users.created_at', 'memberships.tenant_id', 'memberships.role'])
    .where('sessions.id_hash', '=', hashSessionId(id))
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', new Date())
    .executeTakeFirst();
  if (!r) return undefined;
  // No membership (never had one, or removed since): the session acts in no organisation.
  return { hash: r.id_hash, user: userOf(r), org: r.tenant_id ?? undefined, role: r.role ? role(r.role) : undefined, expiresAt: r.expires_at };
}

export async function revokeSession(db: Db, hash: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: new Date() }).where('id_hash', '=', hash).where('revoked_at', 'is', null).execute();
}

/** Makes `org` the session's organisation (and the user's next starting one); false when not a member. */
export async function switchOrg(db: Db, hash: string, userId: string, org: string): Promise<boolean> {
  return run(db, async (tx) => {
    if (!(await roleIn(tx, org, userId))) return false;
    await tx.updateTable('sessions').set({ tenant_id: org }).where('id_hash', '=', hash).where('user_id', '=', userId).execute();
    await tx.updateTable('users').set({ default_tenant_id: org }).where('id', '=', userId).execute();
    return true;
  });
}
