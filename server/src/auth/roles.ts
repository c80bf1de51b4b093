// Roles of a user in an organisation (docs/auth.md) and the scopes each one gives a signed-in user.
// Each role holds what the one below holds, and more:
//   viewer     reads: matches, live, usage
//   developer  + apps and credentials, plugins, webhooks
//   admin      + members: invite, change roles (not an owner's), remove (not an owner)
//   owner      + billing, and owners: grant the owner role, demote or remove an owner (never the last one)
import type { Scope } from './scopes.ts';

export const ROLES = ['viewer', 'developer', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

const VIEWER: readonly Scope[] = ['matches:read', 'live:read', 'usage:read'];
const DEVELOPER: readonly Scope[] = [...VIEWER, 'apps:manage', 'plugins:manage', 'webhooks:manage'];

export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  viewer: VIEWER,
  developer: DEVELOPER,
  admin: DEVELOPER,
  owner: [...DEVELOPER, 'billing:manage'],
};

export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && (ROLES as readonly string[]).includes(s);
}

/** True when `role` is `min` or above it. */
export function atLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}
