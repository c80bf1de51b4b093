// Users and organisations (docs/auth.md), for a signed-in user (a dashboard session):
//   GET    /v1/me                                   the user, their organisations with their role, the current one, the CSRF token
//   PUT    /v1/me/org                               switch the current organisation
//   POST   /v1/orgs                                 create an organisation: the creator is its owner
//   GET    /v1/orgs/{org}/members                   members and pending invitations (any member)
//   POST   /v1/orgs/{org}/members                   add the user of a verified email, or invite it (admin)
//   PATCH  /v1/orgs/{org}/members/{user}            change a role (admin; owners only by an owner)
//   DELETE /v1/orgs/{org}/members/{user}            remove (admin) or leave (yourself)
//   DELETE /v1/orgs/{org}/invitations/{id}          cancel an invitation (admin)
// The auth plugin checks the role in {org} before these run (auth/scopes.ts); the rules about owners
// are checked with the owners locked (store/users.ts), so the last owner can never go.
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { signedInOf, tenantOf } from '../auth/plugin.ts';
import { ROLES, ROLE_SCOPES, type Role } from '../auth/roles.ts';
import type { SessionCookies } from '../auth/session.ts';
import { createError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { addOrInvite, cancelInvitation, changeMembership, countOwned, createOrg, findSession, listMembers, listMemberships, switchOrg, type Invitation as InvitationInfo, type SessionInfo, type Member as MemberInfo, type MemberProblem } from '../store/users.ts';
import { ErrorBody } from './errors.ts';

export const OrgNotFound = createError('CLUTCH_ORG_NOT_FOUND', 'you are not a member of an organisation %s', 404);
export const OrgExists = createError('CLUTCH_ORG_EXISTS', 'the organisation id %s is taken: choose another', 409);
export const OrgLimit = createError('CLUTCH_ORG_LIMIT', 'you already own %d organisations', 409);
export const MemberNotFound = createError('CLUTCH_MEMBER_NOT_FOUND', 'no member %s in %s', 404);
export const InvitationNotFound = createError('CLUTCH_INVITATION_NOT_FOUND', 'no pending invitation %s in %s', 404);
export const RoleRequired = createError('CLUTCH_ROLE_REQUIRED', '%s', 403);
export const OwnerRequired = createError('CLUTCH_OWNER_REQUIRED', 'only an owner can grant the owner role, or change or remove an owner', 403);
export const LastOwner = createError('CLUTCH_LAST_OWNER', 'the last owner of %s cannot leave or be demoted: make another member owner first', 409);
export const AlreadyMember = createError('CLUTCH_ALREADY_MEMBER', '%s is already a member of %s (change the role with PATCH)', 409);
export const MemberLimit = createError('CLUTCH_MEMBER_LIMIT', '%s has reached its limit of members or pending invitations', 409);

const MAX_OWNED = 10;
const BODY_LIMIT = 4 * 1024;
const tags = ['organisations'];

const OrgId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$', description: 'Lower-case letters, digits and dashes, 3 to 40 characters: the tenant id of every API answer.' });
// Existing tenants (clutch org create) may have ids of another shape: member routes accept those.
const OrgParam = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' });
const UserId = Type.String({ pattern: '^usr_[0-9a-f]{24}$' });
const InvitationId = Type.String({ pattern: '^inv_[0-9a-f]{24}$' });
const RoleT = Type.Enum(ROLES);
const Email = Type.String({ format: 'email', maxLength: 320 });

const User = Type.Object({ id: Type.String(), email: Type.Union([Type.String(), Type.Null()]), name: Type.String() });
const Member = Type.Object({ user: User, role: RoleT, joinedAt: Type.String({ format: 'date-time' }) });
const Invitation = Type.Object({ id: Type.String(), email: Type.String(), role: RoleT, createdAt: Type.String({ format: 'date-time' }), expiresAt: Type.String({ format: 'date-time' }) });
const Me = Type.Object({
  user: User,
  organisations: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), role: RoleT, joinedAt: Type.String({ format: 'date-time' }) })),
  currentOrg: Type.Union([Type.String(), Type.Null()], { description: 'The organisation API calls made with this session act in.' }),
  role: Type.Union([RoleT, Type.Null()], { description: 'Your role in currentOrg.' }),
  scopes: Type.Array(Type.String(), { description: 'What the role allows in currentOrg.' }),
  csrfToken: Type.String({ description: 'Send it as X-CSRF-Token with every request other than GET/HEAD made with this session.' }),
  sessionExpiresAt: Type.String({ format: 'date-time' }),
});

const memberJson = (m: MemberInfo) => ({ user: m.user, role: m.role, joinedAt: m.joinedAt.toISOString() });
const invitationJson = (i: InvitationInfo) => ({ id: i.id, email: i.email, role: i.role, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString() });

/** A lower-case id from a name, made unlikely to be taken. */
const idFrom = (name: string) => {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30) || 'org';
  return `${slug}-${randomBytes(3).toString('hex')}`;
};

function refuse(problem: MemberProblem, org: string, who: string): never {
  switch (problem) {
    case 'not_member':
      throw new MemberNotFound(who, org);
    case 'admin_required':
      throw new RoleRequired(`this needs the admin role (or above) in ${org}`);
    case 'owner_required':
      throw new OwnerRequired();
    case 'last_owner':
      throw new LastOwner(org);
    case 'already_member':
      throw new AlreadyMember(who, org);
    case 'member_limit':
      throw new MemberLimit(org);
  }
}

const orgs: FastifyPluginAsyncTypebox<{ db: Db; cookies: SessionCookies }> = async (app, { db, cookies }) => {
  const me = async (s: SessionInfo) => {
    const list = await listMemberships(db, s.user.id);
    return {
      user: { id: s.user.id, email: s.user.email, name: s.user.name },
      organisations: list.map((m) => ({ id: m.org, name: m.name, role: m.role, joinedAt: m.joinedAt.toISOString() })),
      currentOrg: s.org ?? null,
      role: s.role ?? null,
      scopes: s.role ? [...ROLE_SCOPES[s.role]] : [],
      csrfToken: cookies.csrfToken(s.hash),
      sessionExpiresAt: s.expiresAt.toISOString(),
    };
  };

  /** The session read again after a change (a switch, a new organisation). */
  const reread = async (req: FastifyRequest) => {
    const id = cookies.sessionId(req);
    const s = id ? await findSession(db, id) : undefined;
    if (!s) throw new Error('the session vanished during the request');
    return s;
  };

  app.get('/v1/me', { schema: { summary: 'The signed-in user and their organisations', tags, response: { 200: Me } } }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return me(signedInOf(req));
  });

  app.put(
    '/v1/me/org',
    { bodyLimit: BODY_LIMIT, schema: { summary: 'Switch the current organisation', description: 'API calls made with this session act in this organisation from now on, with your role there; new sessions start in it too.', tags, body: Type.Object({ org: OrgParam }, { additionalProperties: false }), response: { 200: Me, 400: ErrorBody, 404: ErrorBody } } },
    async (req, reply) => {
      const s = signedInOf(req);
      if (!(await switchOrg(db, s.hash, s.user.id, req.body.org))) throw new OrgNotFound(req.body.org);
      reply.header('cache-control', 'no-store');
      return me(await reread(req));
    },
  );

  app.post(
    '/v1/orgs',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: 'Create an organisation',
        description: `You become its owner and it becomes your current organisation. \`id\` (optional) is its tenant id; by default one is made from the name. At most ${MAX_OWNED} owned per user.`,
        tags,
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), id: Type.Optional(OrgId) }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String(), name: Type.String(), role: RoleT }), 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const s = signedInOf(req);
      if ((await countOwned(db, s.user.id)) >= MAX_OWNED) throw new OrgLimit(MAX_OWNED);
      const id = req.body.id ?? idFrom(req.body.name);
      if (!(await createOrg(db, { id, name: req.body.name, ownerId: s.user.id }))) throw new OrgExists(id);
      await switchOrg(db, s.hash, s.user.id, id);
      return reply.code(201).send({ id, name: req.body.name, role: 'owner' as Role });
    },
  );

  app.get(
    '/v1/orgs/:org/members',
    { schema: { summary: "An organisation's members and pending invitations", tags, params: Type.Object({ org: OrgParam }), response: { 200: Type.Object({ data: Type.Array(Member), invitations: Type.Array(Invitation) }) } } },
    async (req) => {
      const { members, invitations } = await listMembers(db, tenantOf(req));
      return { data: members.map(memberJson), invitations: invitations.map(invitationJson) };
    },
  );

  app.post(
    '/v1/orgs/:org/members',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: 'Add or invite a member',
        description:
          'When a user has this verified email, they are added at once (`status: added`); otherwise an invitation is kept for 14 days and accepted when someone signs in with this email verified by their provider (`status: invited`). Admin or above; the owner role only by an owner.',
        tags,
        params: Type.Object({ org: OrgParam }),
        body: Type.Object({ email: Email, role: RoleT }, { additionalProperties: false }),
        response: { 201: Type.Object({ status: Type.Enum(['added', 'invited']), member: Type.Optional(Member), invitation: Type.Optional(Invitation) }), 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const org = tenantOf(req);
      const email = req.body.email.toLowerCase();
      const r = await addOrInvite(db, org, req.auth!.user!, email, req.body.role);
      if (typeof r === 'string') refuse(r, org, email);
      return reply.code(201).send('added' in r ? { status: 'added' as const, member: memberJson(r.added) } : { status: 'invited' as const, invitation: invitationJson(r.invited) });
    },
  );

  app.patch(
    '/v1/orgs/:org/members/:user',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: "Change a member's role",
        description: 'Admin or above. Only an owner grants the owner role or changes an owner; the last owner cannot be demoted (make another member owner first: that is how ownership is transferred).',
        tags,
        params: Type.Object({ org: OrgParam, user: UserId }),
        body: Type.Object({ role: RoleT }, { additionalProperties: false }),
        response: { 200: Member, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const org = tenantOf(req);
      const r = await changeMembership(db, org, req.auth!.user!, req.params.user, req.body.role);
      if (typeof r === 'string') refuse(r === 'removed' ? 'not_member' : r, org, req.params.user);
      return memberJson(r);
    },
  );

  app.delete(
    '/v1/orgs/:org/members/:user',
    {
      schema: {
        summary: 'Remove a member, or leave',
        description: 'Removing someone else needs admin or above (an owner only by an owner); anyone may remove themselves (leave), except the last owner.',
        tags,
        params: Type.Object({ org: OrgParam, user: UserId }),
        response: { 204: Type.Null(), 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const org = tenantOf(req);
      const r = await changeMembership(db, org, req.auth!.user!, req.params.user, null);
      if (r !== 'removed') refuse(typeof r === 'string' ? r : 'not_member', org, req.params.user);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/orgs/:org/invitations/:id',
    { schema: { summary: 'Cancel an invitation', tags, params: Type.Object({ org: OrgParam, id: InvitationId }), response: { 204: Type.Null(), 400: ErrorBody } } },
    async (req, reply) => {
      const org = tenantOf(req);
      const r = await cancelInvitation(db, org, req.auth!.user!.role, req.params.id);
      if (r === 'not_found') throw new InvitationNotFound(req.params.id, org);
      if (r === 'owner_required') throw new OwnerRequired();
      return reply.code(204).send(null);
    },
  );
};

export default orgs;
