// Shared by the cs2-log tests: the hand-made fixture, body splitting, format conversion, lookups.
import { readFileSync } from 'node:fs';
import type { EventType, PayloadOf } from '@clutch/core';
import type { Draft } from '../../../src/ingest/adapters/types.ts';

/** A hand-made 2v2 match (warmup, knife round, side pick, restart, 5 live rounds, halftime, Game Over). */
export const WINGMAN = readFileSync(new URL('../../fixtures/cs2-log/wingman.log', import.meta.url), 'utf8');

export const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

/** The same log cut into bodies of `n` lines, as a server POSTs them. */
export function bodies(text: string, n: number): string[] {
  const all = lines(text);
  const out: string[] = [];
  for (let i = 0; i < all.length; i += n) out.push(all.slice(i, i + n).join('\n'));
  return out;
}

/** `L 03/14/2026 - 20:00:00: msg` → `03/14/2026 - 20:00:00.250 - msg` (the HTTP logaddress shape). */
export function toHttpFormat(text: string, millis = '250'): string {
  return text.replace(/^L (\d\d\/\d\d\/\d{4} - \d\d:\d\d:\d\d): /gm, `$1.${millis} - `);
}

export function ofType<T extends EventType>(drafts: Draft[], type: T): (Draft & { type: T; payload: PayloadOf<T> })[] {
  return drafts.filter((d) => d.type === type) as (Draft & { type: T; payload: PayloadOf<T> })[];
}

/** Log lines at `time` (HH:MM:SS on 03/14/2026) from messages. */
export const at = (time: string, ...messages: string[]) => messages.map((m) => `L 03/14/2026 - ${time}: ${m}`).join('\n');

/** A live start for a 1v1 between "Reds" (CT) and "Blues" (T) at `time`, with money (not a knife round). */
export function liveStart(time: string, map = 'de_nuke'): string {
  return [
    at(time, 'Starting Freeze period', 'JSON_BEGIN{', '"fields" : "accountid, team, money, kills, deaths"', '"player_1" : "11, 3, 800, 0, 0"', '"player_2" : "22, 2, 800, 0, 0"', '}}JSON_END'),
    at(time, `World triggered "Match_Start" on "${map}"`, 'MatchStatus: Team playing "CT": Reds', 'MatchStatus: Team playing "TERRORIST": Blues'),
    at(time, `MatchStatus: Score: 0:0 on map "${map}" RoundsPlayed: 0`),
  ].join('\n');
}

export const RED = '"red<2><[U:1:11]><CT>"';
export const BLUE = '"blue<3><[U:1:22]><TERRORIST>"';
