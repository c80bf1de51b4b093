// `clutch plugin build|test|publish`: the plugin author's commands (docs/plugins.md, "CLI").
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CliUsage, createError } from '../errors.ts';
import { validatePlugin } from '../plugins/index.ts';

export const PluginPublishFailed = createError('CLUTCH_PLUGIN_PUBLISH_FAILED', 'publishing the plugin failed: %s', 502);

export const PLUGIN_HELP = `clutch plugin — build, test and publish tenant stat plugins (docs/plugins.md)

  clutch plugin build <entry.ts> [--out <dir>]
      A plugin written with @clutch/plugin-sdk's definePlugin (one file) → <dir>/manifest.json and
      <dir>/bundle.js (default dir: the entry's folder).
  clutch plugin test <bundle.js> --source <source> <match files...> [--manifest <manifest.json>] [--batch <n>]
      Runs the bundle over recorded matches as the server would (the server's adapters, the sandboxed
      runtime, calls of --batch events, default 5,000); prints the final values per match as JSON.
      Exits 1 with the coded error (CLUTCH_PLUGIN_TIMEOUT, …) when the plugin breaks a limit.
  clutch plugin publish <dir> --url <clutch base URL> [--token <api token>]
      POSTs <dir>/manifest.json and <dir>/bundle.js to <url>/v1/plugins.`;

export interface PluginCommandOptions {
  out?: string | undefined;
  source?: string | undefined;
  manifest?: string | undefined;
  batch?: string | undefined;
  url?: string | undefined;
  token?: string | undefined;
  tenant?: string | undefined;
}

export async function pluginCommand(args: string[], o: PluginCommandOptions): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'build': {
      if (rest.length !== 1) throw new CliUsage('usage: clutch plugin build <entry.ts> [--out <dir>]');
      const { buildPlugin } = await import('./plugin-build.ts');
      const r = await buildPlugin(rest[0]!, o.out);
      const m = r.def.manifest;
      process.stderr.write(`clutch plugin build: ${m.name}@${m.version} → ${r.files.map((f) => relative(process.cwd(), f) || f).join(', ')} (${Buffer.byteLength(r.bundle)} bytes)\n`);
      return 0;
    }
    case 'test': {
      if (rest.length < 2 || !o.source) throw new CliUsage('usage: clutch plugin test <bundle.js> --source <source> <match files...> [--manifest <manifest.json>] [--batch <n>]');
      let batchSize: number | undefined;
      if (o.batch !== undefined) {
        batchSize = Number(o.batch);
        if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliUsage(`--batch must be a positive integer, got ${JSON.stringify(o.batch)}`);
      }
      const h = await import('./plugin-harness.ts');
      const def = await h.readBuiltPlugin(rest[0]!, o.manifest);
      const matches = await h.testPluginOnFiles(def, o.source, rest.slice(1), { tenant: o.tenant ?? 'cli', ...(batchSize ? { batchSize } : {}) });
      process.stdout.write(`${JSON.stringify({ plugin: `${def.manifest.name}@${def.manifest.version}`, matches }, null, 2)}\n`);
      process.stderr.write(`clutch plugin test: ${matches.length} match(es), ${matches.reduce((n, m) => n + m.calls, 0)} call(s)\n`);
      return 0;
    }
    case 'publish': {
      if (rest.length !== 1 || !o.url) throw new CliUsage('usage: clutch plugin publish <dir> --url <clutch base URL> [--token <api token>]');
      const body = await publishPlugin(rest[0]!, { url: o.url, token: o.token });
      process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      return 0;
    }
    case undefined:
    case 'help':
      process.stdout.write(`${PLUGIN_HELP}\n`);
      return action ? 0 : 2;
    default:
      throw new CliUsage(`unknown plugin command "${action}": build, test or publish (clutch plugin help)`);
  }
}

/** POSTs { manifest, bundle } of a built plugin folder to <url>/v1/plugins; returns the server's JSON answer. */
export async function publishPlugin(dir: string, o: { url: string; token?: string | undefined }): Promise<unknown> {
  const [manifestText, bundle] = await Promise.all([readFile(join(dir, 'manifest.json'), 'utf8'), readFile(join(dir, 'bundle.js'), 'utf8')]);
  const manifest = JSON.parse(manifestText) as unknown;
  validatePlugin(manifest, bundle); // the server checks again; a bad plugin is refused before any request
  let target: URL;
  try {
    target = new URL('v1/plugins', o.url.endsWith('/') ? o.url : `${o.url}/`);
  } catch {
    throw new CliUsage(`--url must be the base URL of a Clutch server, got ${JSON.stringify(o.url)}`);
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let res: Response;
  try {
    res = await fetch(target, { method: 'POST', headers, body: JSON.stringify({ manifest, bundle }) });
  } catch (err) {
    throw new PluginPublishFailed(`${target.origin} did not answer (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message})`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    /* not JSON: keep the text */
  }
  if (!res.ok) {
    const b = body as { code?: unknown; message?: unknown } | null;
    const why = b && typeof b === 'object' && typeof b.code === 'string' ? `${String(b.message ?? '')} [${b.code}]` : text.slice(0, 300);
    throw new PluginPublishFailed(`${target.href} answered ${res.status}: ${why}`);
  }
  return body;
}
