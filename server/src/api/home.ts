// GET / — a minimal page listing live matches and the JSON endpoints, until the React dashboard
// (issue #8) replaces it. No build step, no external assets.
import type { FastifyPluginAsync } from 'fastify';

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

const home: FastifyPluginAsync = async (app) => {
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
};

export default home;
