// GET / and the web dashboard. The React dashboard (dashboard/, built into dashboard/dist by
// `npm run build -w dashboard`; `npm run demo` builds it when missing or stale) is served under /app/;
// a browser asking for / (Accept: text/html) is redirected there. Without a build, and for API
// clients, / is a minimal page listing live matches and the JSON endpoints (no build step, no
// external assets). Static files are public (auth/scopes.ts): the data they show comes from /v1,
// authenticated like any other call.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** Where the dashboard is mounted. */
export const DASHBOARD_PATH = '/app/';
/** The dashboard's build (dashboard/dist of this repository). */
export const DASHBOARD_DIST = fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Clutch — live matches</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#0f1115;color:#e8e8ea}
header{padding:16px 24px;border-bottom:1px solid #262a33}h1{margin:0;font-size:20px}
main{padding:16px 24px;max-width:960px}table{border-collapse:collapse;width:100%}
td,th{padding:8px 10px;border-bottom:1px solid #262a33;text-align:left}th{color:#9aa0aa;font-weight:500}
.live{color:#ff4d4d;font-weight:600}.score{font-variant-numeric:tabular-nums;font-weight:600}
a{color:#7cb7ff}code{background:#1a1d24;padding:1px 5px;border-radius:4px}.muted{color:#9aa0aa}
</style></head>
<body><header><h1>Clutch <span class="muted">— live matches</span></h1></header>
<main>
<table><thead><tr><th>Title</th><th>Match</th><th>Score</th><th>Map</th><th>Status</th><th>Seq</th></tr></thead>
<tbody id="rows"><tr><td colspan="6" class="muted">loading…</td></tr></tbody></table>
<h2>JSON endpoints</h2>
<ul>
<li><a href="/v1/matches?status=live"><code>GET /v1/matches?status=live</code></a> — live matches</li>
<li><a href="/v1/matches"><code>GET /v1/matches</code></a> — all matches (<code>status</code>, <code>title</code>, <code>limit</code>)</li>
<li><code>GET /v1/matches/:id</code> — one match</li>
<li><a href="/readyz"><code>GET /readyz</code></a> — readiness of every dependency</li>
<li><a href="/healthz"><code>GET /healthz</code></a> — liveness</li>
<li><a href="/metrics"><code>GET /metrics</code></a> — Prometheus metrics</li>
</ul>
</main>
<script>
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
async function refresh() {
  try {
    const res = await fetch('/v1/matches?status=live&limit=50');
    const { data } = await res.json();
    document.getElementById('rows').innerHTML = data.length ? data.map((m) =>
      '<tr><td>' + esc(m.title.toUpperCase()) + '</td><td><a href="/v1/matches/' + encodeURIComponent(m.id) + '">' + esc(m.teams[0].name) + ' vs ' + esc(m.teams[1].name) +
      '</a></td><td class="score">' + m.teams[0].score + ' : ' + m.teams[1].score + '</td><td>' + esc(m.map ?? '') +
      '</td><td class="live">● LIVE</td><td class="muted">' + m.lastSeq + '</td></tr>').join('')
      : '<tr><td colspan="6" class="muted">no live match right now</td></tr>';
  } catch (e) { /* next tick retries */ }
}
refresh(); setInterval(refresh, 2000);
</script></body></html>`;

export interface HomeOptions {
  /** The built dashboard (default DASHBOARD_DIST); not served when it has no index.html. */
  dashboardDir?: string;
}

const home: FastifyPluginAsync<HomeOptions> = async (app, opts) => {
  const dir = opts.dashboardDir ?? DASHBOARD_DIST;
  const dashboard = existsSync(`${dir}/index.html`);
  app.get('/', async (req, reply) => {
    // Browsers go to the dashboard; API clients (Accept: application/json, */*, none) keep this page.
    if (dashboard && /\btext\/html\b/.test(req.headers.accept ?? '')) return reply.redirect(DASHBOARD_PATH, 302);
    return reply.type('text/html; charset=utf-8').send(PAGE);
  });
  if (!dashboard) {
    app.log.info({ dir }, 'the web dashboard is not built (npm run build -w dashboard): /app/ is not served');
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    // Without the trailing slash, so that /app redirects to /app/.
    prefix: DASHBOARD_PATH.slice(0, -1),
    redirect: true,
    index: ['index.html'],
    cacheControl: false,
    // Hashed assets never change; index.html is revalidated so a new build is picked up at once.
    setHeaders: (reply, path) => {
      reply.header('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('x-content-type-options', 'nosniff');
    },
  });
};

export default home;
