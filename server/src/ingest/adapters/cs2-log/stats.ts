// `JSON_BEGIN{ "name": "round_stats", "fields": "accountid, team, money, kills, …", "players": {
// "player_N": "v1, v2, …" } }}JSON_END`: cumulative per-player stats, printed at the start of each
// freeze period (so after round n ended it says round_number n+1). Read line by line, so a block
// may span bodies. Emitted as player.state snapshots once a live round has ended; also tells knife
// rounds apart (every player at $0).
import type { PayloadOf } from '@clutch/core';
import { defined, emit, isLive, lineOcc, type Line, type Run } from './emit.ts';
import { refOf, steam64 } from './players.ts';
import { LIMITS, type StatRow } from './state.ts';

type Stats = PayloadOf<'player.state'>['stats'];

export function onJsonBegin(run: Run): void {
  run.st.stats = { fields: [], rows: [] };
}

export function onJsonField(run: Run, name: string, value: string, line: Line): void {
  const block = run.st.stats;
  if (!block) return;
  if (name === 'fields') block.fields = value.split(',').map((f) => f.trim()).slice(0, 64);
  else if (name.startsWith('player_') && block.rows.length < LIMITS.statRows) {
    const vals = value.split(',').slice(0, 64).map((v) => (v.trim() === '' ? NaN : Number(v)));
    block.rows.push({ line: line.text, occ: lineOcc(run, line), iso: line.iso, ms: line.ms, vals });
  }
}

const count = (v: number | undefined) => (v !== undefined && Number.isInteger(v) && v >= 0 ? v : undefined);
const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : undefined);

function statsOf(get: (f: string) => number | undefined): Stats {
  const kills = count(get('kills'));
  const hsp = finite(get('hsp'));
  return defined({
    kills,
    deaths: count(get('deaths')),
    assists: count(get('assists')),
    damage: finite(get('dmg')),
    money: finite(get('money')),
    mvps: count(get('mvp')),
    // hsp is the share of kills that were headshots, in percent
    headshots: kills !== undefined && hsp !== undefined && hsp >= 0 && hsp <= 100 ? Math.round((kills * hsp) / 100) : undefined,
  });
}

function emitRow(run: Run, fields: string[], row: StatRow): void {
  const get = (f: string) => {
    const i = fields.indexOf(f);
    return i < 0 ? undefined : row.vals[i];
  };
  const account = get('accountid');
  if (account === undefined || !Number.isInteger(account) || account <= 0 || account >= 2 ** 32) return;
  const id = steam64(account);
  const info = run.st.players[id];
  const side = get('team') === 3 ? 'ct' : get('team') === 2 ? 't' : undefined;
  const player = { ...refOf(run.st, id, info), ...(side ? { side } : {}) };
  emit(run, 'player.state', { player, stats: statsOf(get) }, { text: row.line, iso: row.iso, ms: row.ms, occ: row.occ });
}

export function onJsonEnd(run: Run): void {
  const { st } = run;
  const block = st.stats;
  st.stats = undefined;
  if (!block) return;
  const money = block.fields.indexOf('money');
  const account = block.fields.indexOf('accountid');
  const real = block.rows.filter((r) => (r.vals[account] ?? 0) > 0);
  if (money >= 0 && real.length) st.zeroMoney = real.every((r) => r.vals[money] === 0);
  const m = st.match;
  if (isLive(run) && m && m.ended > 0) for (const row of real) emitRow(run, block.fields, row);
}
