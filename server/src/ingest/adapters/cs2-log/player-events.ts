// Lines about players → combat, objective, economy and roster drafts. Every line updates the player
// registry (names, sides) whatever the phase; drafts only come out during a match (emit decides).
import type { PayloadOf } from '@clutch/core';
import { defined, emit, isLive, type Line, type Run } from './emit.ts';
import type { Msg, RawPlayer } from './lines.ts';
import { isTvBot, ref, refOf, setSide, sideName, track } from './players.ts';

type M<K extends Msg['k']> = Extract<Msg, { k: K }>;

/** Kill modifiers with a canonical field; others (attackerinair…) go to extra.flags. */
const FLAGS: Record<string, keyof PayloadOf<'player.killed.player'>> = {
  penetrated: 'penetrated',
  throughsmoke: 'throughSmoke',
  noscope: 'noScope',
  attackerblind: 'attackerBlind',
};

const playing = (p: RawPlayer) => p.team === 'CT' || p.team === 'TERRORIST';

function onKill(run: Run, msg: M<'kill'>, line: Line): void {
  const killer = ref(run.st, msg.killer);
  const victim = ref(run.st, msg.victim);
  const teamKill = playing(msg.killer) && msg.killer.team === msg.victim.team;
  const m = run.st.match;
  // First blood: the first kill of an enemy after Round_Start (not exit frags after the round ended).
  const firstBlood = isLive(run) && m !== undefined && m.round > m.ended && m.kills === 0 && !teamKill;
  if (isLive(run) && m && !teamKill) m.kills++;
  const payload: PayloadOf<'player.killed.player'> = { killer, victim, weapon: msg.weapon, headshot: msg.flags.includes('headshot'), killerPosition: msg.kpos, victimPosition: msg.vpos };
  const other: string[] = [];
  for (const f of msg.flags) {
    const field = FLAGS[f];
    if (field) (payload as Record<string, unknown>)[field] = true;
    else if (f !== 'headshot') other.push(f);
  }
  if (teamKill) payload.teamKill = true;
  if (firstBlood) payload.firstBlood = true;
  if (other.length) payload.extra = { flags: other.slice(0, 8) };
  emit(run, 'player.killed.player', payload, line);
}

function onSuicide(run: Run, msg: M<'suicide'>, line: Line): void {
  const victim = ref(run.st, msg.player);
  emit(run, 'player.killed.player', defined({ victim, weapon: msg.weapon, victimPosition: msg.pos, suicide: msg.bomb ? undefined : true }), line);
}

function onAttack(run: Run, msg: M<'attack'>, line: Line): void {
  const attacker = ref(run.st, msg.attacker);
  const victim = ref(run.st, msg.victim);
  emit(
    run,
    'player.damaged.player',
    {
      attacker,
      victim,
      weapon: msg.weapon,
      damage: msg.damage,
      armorDamage: msg.armorDamage,
      healthRemaining: msg.health,
      armorRemaining: msg.armor,
      hitgroup: msg.hitgroup.toLowerCase(),
      attackerPosition: msg.apos,
      victimPosition: msg.vpos,
    },
    line,
  );
}

/** Bomb lines. CS2 logs who began defusing but not who finished: the last to begin is credited. */
function onTriggered(run: Run, msg: M<'triggered'>, line: Line): void {
  const player = ref(run.st, msg.player);
  const m = run.st.match;
  if (msg.event === 'Planted_The_Bomb') {
    if (m) m.site = msg.site;
    emit(run, 'bomb.planted', defined({ player, site: msg.site }), line);
  } else if (msg.event === 'Defused_The_Bomb') {
    emit(run, 'bomb.defused', defined({ player, site: msg.site ?? m?.site }), line);
    if (m) m.defused = true;
  } else if (msg.event.startsWith('Begin_Bomb_Defuse') && m) m.defuser = player;
}

const itemKey = (item: string) => item.replace(/^weapon_/, '');

function onMoney(run: Run, msg: M<'money'>, line: Line): void {
  const { id, info } = track(run.st, msg.player);
  // The purchase's money change comes just before its "purchased" line: remember the cost for it.
  if (msg.item && msg.delta <= 0) info.buy = [itemKey(msg.item), -msg.delta];
  emit(run, 'player.money.changed', defined({ player: refOf(run.st, id, info), money: msg.money, delta: msg.delta, reason: msg.reason }), line);
}

function onPurchased(run: Run, msg: M<'purchased'>, line: Line): void {
  const { id, info } = track(run.st, msg.player);
  const cost = info.buy && info.buy[0] === itemKey(msg.item) ? info.buy[1] : undefined;
  info.buy = undefined; // not `delete`: keeps the record's shape (and speed); JSON drops it anyway
  emit(run, 'player.purchased.item', defined({ player: refOf(run.st, id, info), item: msg.item, cost }), line);
}

function onSwitched(run: Run, msg: M<'switched'>, line: Line): void {
  const { id, info } = track(run.st, msg.player);
  setSide(run.st, info, msg.to);
  if (isTvBot(msg.player)) return;
  emit(run, 'player.switched.team', defined({ player: refOf(run.st, id, info), from: msg.from ? sideName(msg.from) : undefined, to: sideName(msg.to) }), line);
}

function onRoster(run: Run, msg: M<'connected'> | M<'disconnected'>, line: Line): void {
  const player = ref(run.st, msg.player);
  if (isTvBot(msg.player)) return;
  if (msg.k === 'connected') emit(run, 'player.connected', { player }, line);
  else emit(run, 'player.disconnected', defined({ player, reason: msg.reason || undefined }), line);
}

/** Handles a player line; returns false when the message is not one. */
export function onPlayerLine(run: Run, msg: Msg, line: Line): boolean {
  const { st } = run;
  switch (msg.k) {
    case 'kill':
      onKill(run, msg, line);
      break;
    case 'suicide':
      onSuicide(run, msg, line);
      break;
    case 'attack':
      onAttack(run, msg, line);
      break;
    case 'assist':
      emit(run, 'player.assisted.player', defined({ assister: ref(st, msg.assister), victim: ref(st, msg.victim), flash: msg.flash || undefined }), line);
      break;
    case 'blind':
      emit(run, 'player.blinded.player', { attacker: ref(st, msg.attacker), victim: ref(st, msg.victim), durationMs: Math.round(msg.seconds * 1000), entindex: msg.entindex }, line);
      break;
    case 'threw':
      emit(run, 'player.threw.grenade', { player: ref(st, msg.player), grenade: msg.grenade, position: msg.pos }, line);
      break;
    case 'triggered':
      onTriggered(run, msg, line);
      break;
    case 'purchased':
      onPurchased(run, msg, line);
      break;
    case 'money':
      onMoney(run, msg, line);
      break;
    case 'switched':
      onSwitched(run, msg, line);
      break;
    case 'connected':
    case 'disconnected':
      onRoster(run, msg, line);
      break;
    case 'seen':
      track(st, msg.player);
      break;
    default:
      return false;
  }
  return true;
}
