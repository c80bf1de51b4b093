// 0007: the developer platform (docs/auth.md). A tenant is an organisation and gets a plan; apps
// belong to it; an app has credentials: OAuth2 clients (client credentials grant → JWT access
// tokens) and API keys. Only a SHA-256 of a secret is stored (secrets are 256-bit random, so a fast
// hash is enough: nothing to brute-force). Signing keys of the access tokens, published as a JWKS and
// rotated: the private key is stored encrypted when a key-encryption key is configured.
// Frozen once shipped.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tenants').addColumn('plan', 'text', (c) => c.notNull().defaultTo('free')).execute();

  await db.schema
    .createTable('apps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('apps_tenant').on('apps').columns(['tenant_id', 'created_at']).execute();

  await db.schema
    .createTable('app_credentials')
    // The client_id of an OAuth2 client, the key id of an API key (its secret's prefix).
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('client', 'api_key')`))
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    // The last characters of the secret, to tell credentials apart in lists.
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('scopes', 'jsonb', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('app_credentials_app').on('app_credentials').columns(['tenant_id', 'app_id', 'created_at']).execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    // The private JWK as JSON text, or "enc:v1:<iv>.<tag>.<ciphertext>" (AES-256-GCM) with a key-encryption key.
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The newest key is the one that signs; older ones still verify until they are retired.
    .addColumn('retired_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signing_keys').execute();
  await db.schema.dropTable('app_credentials').execute();
  await db.schema.dropTable('apps').execute();
  await db.schema.alterTable('tenants').dropColumn('plan').execute();
}
