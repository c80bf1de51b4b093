// `clutch ingest-token create|list|revoke`: the tokens game servers, observers and pollers post with.
import { SOURCES } from '../ingest/adapters/types.ts';
import type { Store } from '../ports/store.ts';
import { createIngestToken, listIngestTokens, revokeIngestToken } from '../store/ingest-tokens.ts';
import { ensureTenant } from '../store/tenants.ts';

export interface TokenArgs {
  action: string | undefined;
  tenant: string;
  source?: string | undefined;
  stream?: string | undefined;
  name?: string | undefined;
  id?: string | undefined;
}

const USAGE = `usage:
  clutch ingest-token create --tenant <t> --source <${SOURCES.join('|')}> --stream <stream id> [--name <label>]
  clutch ingest-token list --tenant <t>
  clutch ingest-token revoke --tenant <t> <token id>`;

export async function ingestTokenCommand(store: Store, a: TokenArgs, out: (line: string) => void): Promise<number> {
  switch (a.action) {
    case 'create': {
      if (!a.source || !(SOURCES as readonly string[]).includes(a.source) || !a.stream) {
        out(USAGE);
        return 2;
      }
      await ensureTenant(store.db, a.tenant, a.tenant);
      const { id, token } = await createIngestToken(store.db, { tenant: a.tenant, source: a.source, streamId: a.stream, name: a.name ?? '' });
      out(JSON.stringify({ id, tenant: a.tenant, source: a.source, stream: a.stream, token, note: 'the token is shown once; keep it secret' }, null, 2));
      return 0;
    }
    case 'list':
      for (const t of await listIngestTokens(store.db, a.tenant)) {
        out(JSON.stringify({ id: t.id, source: t.source, stream: t.streamId, name: t.name, created: t.createdAt.toISOString(), revoked: t.revokedAt?.toISOString() ?? null }));
      }
      return 0;
    case 'revoke':
      if (!a.id) {
        out(USAGE);
        return 2;
      }
      if (!(await revokeIngestToken(store.db, a.tenant, a.id))) {
        out(`no live token ${a.id} for tenant ${a.tenant}`);
        return 1;
      }
      out(`revoked ${a.id}`);
      return 0;
    default:
      out(USAGE);
      return 2;
  }
}
