// Live with @clutch/sdk: follow every match of a title and print each change; the client reconnects
// and resumes by itself (kill the network for a few seconds: nothing is missed or doubled).
//   node sdk/examples/live.ts [title]        (CLUTCH_URL defaults to http://localhost:8080)
import { LiveClient } from '@clutch/sdk';

const base = process.env.CLUTCH_URL ?? 'http://localhost:8080';
const title = process.argv[2] ?? 'cs2';
const live = new LiveClient({
  url: `${base.replace(/^http/, 'ws')}/v1/live`,
  onState: (s, info) => console.error(`[${s}]${info?.code ? ` close ${info.code}` : ''}`),
  onMessage: (m) => {
    if (m.type === 'delta') {
      const stats = m.stats as { teams?: Array<{ name: string; score: number }> };
      const lag = m.sentAt && m.receivedAt ? Date.parse(m.sentAt) - Date.parse(m.receivedAt) : NaN;
      console.log(`${m.matchId} seq ${m.fromSeq}–${m.seq}  ${(stats.teams ?? []).map((t) => `${t.name} ${t.score}`).join(' – ')}  (ingest→sent ${lag} ms)`);
    } else if (m.type === 'error') console.error(`${m.code}: ${m.message}`);
  },
});
live.follow({ titles: [title] });
process.on('SIGINT', () => {
  live.close();
  process.exit(0);
});
