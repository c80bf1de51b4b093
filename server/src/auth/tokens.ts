// Access tokens: JWTs in the RFC 9068 profile, issued by the client credentials grant and verified
// as RFC 8725 asks: one algorithm allowed (ES256: `none` and HMAC are refused whatever the header
// says), `typ` must be `at+jwt`, `iss` and `aud` must be ours, `exp` with a small leeway, the key
// found by `kid` among our published keys only (never from the token: no `jku`, `jwk`, `x5u`).
import { uuidv7 } from '@clutch/core';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { ALG, type KeyRing } from './keys.ts';
import { parseScopes, type Scope } from './scopes.ts';

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** Clock skew allowed on exp/iat/nbf, seconds. */
  leewaySeconds: number;
}

export interface AccessClaims {
  tenant: string;
  clientId: string;
  appId: string;
  scopes: Scope[];
  jti: string;
  exp: number;
}

export async function issueAccessToken(keys: KeyRing, s: TokenSettings, c: { tenant: string; clientId: string; appId: string; scopes: readonly Scope[] }, now = Date.now()): Promise<{ token: string; expiresIn: number }> {
  const { kid, key } = await keys.signingKey();
  const iat = Math.floor(now / 1000);
  const token = await new SignJWT({ client_id: c.clientId, scope: c.scopes.join(' '), org: c.tenant, app: c.appId })
    .setProtectedHeader({ alg: ALG, typ: 'at+jwt', kid })
    .setIssuer(s.issuer)
    .setAudience(s.audience)
    .setSubject(c.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + s.ttlSeconds)
    .setJti(uuidv7())
    .sign(key);
  return { token, expiresIn: s.ttlSeconds };
}

/** Why a token was refused (the text goes to the client: it names the check, never the key). */
export class InvalidToken extends Error {}

export async function verifyAccessToken(keys: KeyRing, s: TokenSettings, token: string, now = Date.now()): Promise<AccessClaims> {
  let kid: string | undefined;
  try {
    const h = decodeProtectedHeader(token);
    if (h.alg !== ALG) throw new InvalidToken(`alg ${JSON.stringify(h.alg)} is not accepted`);
    if (h.typ !== 'at+jwt') throw new InvalidToken('typ must be at+jwt');
    if (h.crit !== undefined || h.jku !== undefined || h.jwk !== undefined || h.x5u !== undefined) throw new InvalidToken('unsupported header parameters');
    kid = h.kid;
  } catch (err) {
    if (err instanceof InvalidToken) throw err;
    throw new InvalidToken('not a JWT');
  }
  if (typeof kid !== 'string') throw new InvalidToken('kid is missing');
  const key = await keys.verificationKey(kid);
  if (!key) throw new InvalidToken('unknown kid');
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALG],
      typ: 'at+jwt',
      issuer: s.issuer,
      audience: s.audience,
      clockTolerance: s.leewaySeconds,
      currentDate: new Date(now),
      requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti', 'client_id', 'scope', 'org'],
    });
    const { client_id, scope, org, app } = payload as { client_id?: unknown; scope?: unknown; org?: unknown; app?: unknown };
    if (typeof client_id !== 'string' || typeof scope !== 'string' || typeof org !== 'string' || typeof app !== 'string' || payload.sub !== client_id) throw new InvalidToken('malformed claims');
    return { tenant: org, clientId: client_id, appId: app, scopes: parseScopes(scope).scopes, jti: payload.jti!, exp: payload.exp! };
  } catch (err) {
    if (err instanceof InvalidToken) throw err;
    if (err instanceof errors.JWTExpired) throw new InvalidToken('expired');
    if (err instanceof errors.JWTClaimValidationFailed) throw new InvalidToken(`${err.claim} check failed`);
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new InvalidToken('bad signature');
    throw new InvalidToken('invalid token');
  }
}
