// Demonstration of live win probability (docs/predictions.md): replays a recorded CS2 match (the test
// fixture by default) through the embedded server — processor in worker threads — and prints the
// predictions the live WebSocket stream carries, one line per relevant event.
//
//   node scripts/predictions-demo.ts [server.log]
import { pino } from 'pino';
import { buildApp } from '../server/src/app.ts';
import { parseFiles } from '../server/src/cli/parse.ts';
import { DEMO_ENV, loadConfig } from '../server/src/config.ts';
import { toRecord } from '../server/src/events/codec.ts';
import { createInfra } from '../server/src/infra/wiring.ts';
import { loadModel } from '../server/src/predict/index.ts';
import type { LivePrediction } from '../server/src/predict/live.ts';
import { topicNames } from '../server/src/topics.ts';

const file = process.argv[2] ?? new URL('../server/test/fixtures/cs2-log/wingman.log', import.meta.url).pathname;
const config = loadConfig({ ...DEMO_ENV, CLUTCH_SIMULATOR_MATCHES: '0', PORT: '0', LOG_LEVEL: 'silent', CLUTCH_PROCESSOR_WORKERS: '1' });
const log = pino({ level: 'silent' });
const infra = await createInfra(config, log);
const app = await buildApp({ config, infra, logger: log });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
const events = (await parseFiles('cs2-log', [file], { tenant: config.defaultTenant, streamId: 'demo', receivedAt: new Date().toISOString() })).events;
const matchId = events[0]!.matchId;
const topics = topicNames(config.kafkaTopicPrefix);

const ws = new WebSocket(`${address.replace('http', 'ws')}/v1/live`);
await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));
const subscribed = new Promise((resolve) => ws.addEventListener('message', (m) => JSON.parse(String(m.data)).type === 'subscribed' && resolve(undefined)));
ws.send(JSON.stringify({ op: 'subscribe', matches: [{ id: matchId }] }));
await subscribed;

const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;
let lastSeq = 0;
ws.addEventListener('message', (m) => {
  const msg = JSON.parse(String(m.data)) as { type: string; seq?: number; predictions?: LivePrediction[] };
  if (msg.type !== 'delta') return;
  lastSeq = msg.seq!;
  for (const p of msg.predictions ?? []) {
    const [a, b] = p.teams;
    const round = p.round ? `round ${p.round.number}: P(CT ${p.round.ctTeam} wins round) ${pct(p.round.probabilityCt)}` : '';
    const ev = p.event ? `${p.event.type}${p.event.player ? ` by ${p.event.player.slice(-4)}` : ''} WPA ${p.event.wpa >= 0 ? '+' : ''}${p.event.wpa.toFixed(3)} (${p.event.team})` : '';
    const top = p.explanation.inputs[0];
    console.log(`seq ${String(p.seq).padStart(3)}  ${a!.name} ${pct(a!.probability)} – ${b!.name} ${pct(b!.probability)}  ${round.padEnd(48)} ${ev.padEnd(52)} top: ${top ? `${top.feature} ${top.contribution >= 0 ? '+' : ''}${top.contribution}` : ''}`);
  }
});

console.log(`replaying ${events.length} events of ${matchId} (${file}), model cs2-round-markov on cs-round.v${loadModel('cs-round').file.version}`);
for (const e of events) {
  await infra.eventLog.append([toRecord(topics.events, e)]);
  // Paced like a live match (a few events per batch).
  await new Promise((r) => setTimeout(r, 40));
}
const deadline = Date.now() + 10_000;
while (lastSeq < events.at(-1)!.seq && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
ws.close();
await app.close();
await infra.close();
