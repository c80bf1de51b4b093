// The four prediction tasks: how a row of each dataset format is read (the formats of the shared
// datasets, docs/predictions.md) and the feature sets computed from a row. The same code serves
// training, evaluation and live inference, so a model always sees features computed one way.

export const TASKS = ['dota2-draft', 'lol-draft', 'lol-10min', 'cs-round'] as const;
export type Task = (typeof TASKS)[number];
export const isTask = (t: string | undefined): t is Task => (TASKS as readonly string[]).includes(t ?? '');

/**
 * A row of a draft task: the picks of both teams; y = 1 when team 1 won. Dota rows of the dataset also
 * carry the lobby's context (server cluster, game mode, lobby type), which the dota-ctx features use;
 * a draft without it (live, or the what-if API) is scored on the picks alone.
 */
export interface DraftRow { y: 0 | 1; team1: number[]; team2: number[]; ctx?: DotaContext }
export interface DotaContext { cluster: number; mode: number; type: number }
/**
 * A row of a table task: its numeric columns in the format's order (`TABLE_COLS[task]`: LOL10_COLS, or
 * CS_COLS = CS_NUM_COLS + bomb_planted), and the map for CS; y = 1 when blue / CT won. A vector, not an
 * object by column name: the live path builds one per prediction and the extractors read ~150 values.
 */
export interface TableRow { y: 0 | 1; x: Float64Array; map?: string }
export type Row = DraftRow | TableRow;

/** Sparse named features: names[i] has value values[i]; absent names are 0. */
export interface Feats { names: readonly string[]; values: ArrayLike<number> }

export class FormatError extends Error {}
export class BadRow extends Error {}

export interface RowReader {
  /** Whether the first line was a header (and is not data). */
  header: boolean;
  parse(fields: string[]): Row;
}

const DOTA_HEROES = 113;
const DOTA_COLS = 4 + DOTA_HEROES;

function num(s: string | undefined, what: string): number {
  const v = s === undefined || s.trim() === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) throw new BadRow(`${what}: not a number (${JSON.stringify(s ?? '')})`);
  return v;
}

function indexOf(header: string[], required: readonly string[], task: Task): Map<string, number> {
  const idx = new Map(header.map((h, i) => [h.trim(), i] as const));
  const missing = required.filter((c) => !idx.has(c));
  if (missing.length) {
    throw new FormatError(`not a ${task} file: the header lacks ${missing.length} column(s): ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''}`);
  }
  return idx;
}

const LOL_DRAFT_COLS = [1, 2].flatMap((t) => [1, 2, 3, 4, 5].map((c) => `t${t}_champ${c}id`));
const LOL10_SIDES = ['WardsPlaced', 'WardsDestroyed', 'FirstBlood', 'Kills', 'Deaths', 'Assists', 'EliteMonsters', 'Dragons', 'Heralds', 'TowersDestroyed', 'TotalGold', 'AvgLevel', 'TotalExperience', 'TotalMinionsKilled', 'TotalJungleMinionsKilled', 'GoldDiff', 'ExperienceDiff', 'CSPerMin', 'GoldPerMin'];
export const LOL10_COLS = ['blue', 'red'].flatMap((s) => LOL10_SIDES.map((c) => `${s}${c}`));

// CS: csgo_round_snapshots.csv columns.
const CS_WEAPONS = ['ak47', 'aug', 'awp', 'bizon', 'cz75auto', 'elite', 'famas', 'g3sg1', 'galilar', 'glock', 'm249', 'm4a1s', 'm4a4', 'mac10', 'mag7', 'mp5sd', 'mp7', 'mp9', 'negev', 'nova', 'p90', 'r8revolver', 'sawedoff', 'scar20', 'sg553', 'ssg08', 'ump45', 'xm1014', 'deagle', 'fiveseven', 'usps', 'p250', 'p2000', 'tec9'];
const CS_GRENADES = ['hegrenade', 'flashbang', 'smokegrenade', 'incendiarygrenade', 'molotovgrenade', 'decoygrenade'];
const CS_BASE = ['time_left', 'ct_score', 't_score', 'ct_health', 't_health', 'ct_armor', 't_armor', 'ct_money', 't_money', 'ct_helmets', 't_helmets', 'ct_defuse_kits', 'ct_players_alive', 't_players_alive'];
export const CS_NUM_COLS = [...CS_BASE, ...CS_WEAPONS.flatMap((w) => [`ct_weapon_${w}`, `t_weapon_${w}`]), ...CS_GRENADES.flatMap((g) => [`ct_grenade_${g}`, `t_grenade_${g}`])];
export const CS_COLS = [...CS_NUM_COLS, 'bomb_planted'];
/** Column name → index in a TableRow's x, per table format. */
const indexBy = (cols: readonly string[]): Record<string, number> => Object.fromEntries(cols.map((c, i) => [c, i]));
export const CS_COL = indexBy(CS_COLS);
export const LOL10_COL = indexBy(LOL10_COLS);
export const CS_MAPS = ['de_cache', 'de_dust2', 'de_inferno', 'de_mirage', 'de_nuke', 'de_overpass', 'de_train', 'de_vertigo'];

function bool(s: string | undefined, what: string): number {
  const v = (s ?? '').trim().toLowerCase();
  if (v === 'true' || v === '1' || v === '1.0') return 1;
  if (v === 'false' || v === '0' || v === '0.0') return 0;
  throw new BadRow(`${what}: not a boolean (${JSON.stringify(s ?? '')})`);
}

/** Reads the first line of a file of the task's format; throws FormatError when it is not one. */
export function rowReader(task: Task, first: string[]): RowReader {
  switch (task) {
    case 'dota2-draft': {
      // No header: winner (1/-1), cluster, game mode, game type, then 113 hero columns (1 / -1 / 0).
      if (first.length !== DOTA_COLS || !/^-?1$/.test(first[0]!.trim())) {
        throw new FormatError(`not a dota2-draft file: expected ${DOTA_COLS} comma-separated columns without a header (winner 1/-1, cluster, mode, type, 113 heroes), the first line has ${first.length} starting with ${JSON.stringify(first[0]?.slice(0, 20))}`);
      }
      return {
        header: false,
        parse(f) {
          if (f.length !== DOTA_COLS) throw new BadRow(`${f.length} columns, expected ${DOTA_COLS}`);
          const w = num(f[0], 'winner');
          if (w !== 1 && w !== -1) throw new BadRow(`winner must be 1 or -1, got ${f[0]}`);
          const team1: number[] = [];
          const team2: number[] = [];
          for (let h = 1; h <= DOTA_HEROES; h++) {
            const s = f[3 + h]!;
            if (s === '0') continue;
            const v = num(s, `hero ${h}`);
            if (v === 1) team1.push(h);
            else if (v === -1) team2.push(h);
            else if (v !== 0) throw new BadRow(`hero ${h} must be 1, -1 or 0, got ${s}`);
          }
          if (team1.length !== 5 || team2.length !== 5) throw new BadRow(`expected 5 heroes per team, got ${team1.length} and ${team2.length}`);
          return { y: w === 1 ? 1 : 0, team1, team2, ctx: { cluster: num(f[1], 'cluster'), mode: num(f[2], 'game mode'), type: num(f[3], 'game type') } };
        },
      };
    }
    case 'lol-draft': {
      const idx = indexOf(first, [...LOL_DRAFT_COLS, 'winner'], task);
      const cols = LOL_DRAFT_COLS.map((c) => idx.get(c)!);
      const wi = idx.get('winner')!;
      return {
        header: true,
        parse(f) {
          if (f.length !== first.length) throw new BadRow(`${f.length} columns, the header has ${first.length}`);
          const ids = cols.map((i, k) => num(f[i], LOL_DRAFT_COLS[k]!));
          if (ids.some((v) => !Number.isInteger(v) || v <= 0)) throw new BadRow('champion ids must be positive integers');
          const w = num(f[wi], 'winner');
          if (w !== 1 && w !== 2) throw new BadRow(`winner must be 1 or 2, got ${f[wi]}`);
          return { y: w === 1 ? 1 : 0, team1: ids.slice(0, 5), team2: ids.slice(5) };
        },
      };
    }
    case 'lol-10min': {
      const idx = indexOf(first, [...LOL10_COLS, 'blueWins'], task);
      const cols = LOL10_COLS.map((c) => idx.get(c)!);
      const yi = idx.get('blueWins')!;
      return {
        header: true,
        parse(f) {
          if (f.length !== first.length) throw new BadRow(`${f.length} columns, the header has ${first.length}`);
          const y = num(f[yi], 'blueWins');
          if (y !== 0 && y !== 1) throw new BadRow(`blueWins must be 0 or 1, got ${f[yi]}`);
          const x = new Float64Array(LOL10_COLS.length);
          for (let k = 0; k < cols.length; k++) x[k] = num(f[cols[k]!], LOL10_COLS[k]!);
          return { y, x };
        },
      };
    }
    case 'cs-round': {
      const idx = indexOf(first, [...CS_NUM_COLS, 'map', 'bomb_planted', 'round_winner'], task);
      const cols = CS_NUM_COLS.map((c) => idx.get(c)!);
      const mi = idx.get('map')!;
      const bi = idx.get('bomb_planted')!;
      const yi = idx.get('round_winner')!;
      return {
        header: true,
        parse(f) {
          if (f.length !== first.length) throw new BadRow(`${f.length} columns, the header has ${first.length}`);
          const w = f[yi]!.trim();
          if (w !== 'CT' && w !== 'T') throw new BadRow(`round_winner must be CT or T, got ${JSON.stringify(w)}`);
          const x = new Float64Array(CS_COLS.length);
          for (let k = 0; k < cols.length; k++) x[k] = num(f[cols[k]!], CS_NUM_COLS[k]!);
          x[CS_COL.bomb_planted!] = bool(f[bi], 'bomb_planted');
          const map = f[mi]!.trim();
          if (!map) throw new BadRow('map is empty');
          return { y: w === 'CT' ? 1 : 0, x, map };
        },
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Feature sets. Draft: `h:<id>` = +1 for team 1's pick, -1 for team 2's (one weight per hero);
// `s:<i>:<j>` (i < j) = +1 when both are in team 1, -1 when both are in team 2 (synergy);
// `c:<i>:<j>` (i < j) = +1 when i is team 1's and j team 2's, -1 the other way round (counter).
// The encoding is antisymmetric: swapping the teams negates every feature.

function picks(r: DraftRow): Feats {
  return { names: [...r.team1.map((h) => `h:${h}`), ...r.team2.map((h) => `h:${h}`)], values: [...r.team1.map(() => 1), ...r.team2.map(() => -1)] };
}

function pairs(r: DraftRow): Feats {
  const names: string[] = [];
  const values: number[] = [];
  const push = (n: string, v: number) => {
    names.push(n);
    values.push(v);
  };
  for (const h of r.team1) push(`h:${h}`, 1);
  for (const h of r.team2) push(`h:${h}`, -1);
  for (const [team, sign] of [[r.team1, 1], [r.team2, -1]] as const) {
    for (let a = 0; a < team.length; a++) {
      for (let b = a + 1; b < team.length; b++) {
        const i = Math.min(team[a]!, team[b]!);
        const j = Math.max(team[a]!, team[b]!);
        push(`s:${i}:${j}`, sign);
      }
    }
  }
  for (const a of r.team1) {
    for (const b of r.team2) {
      push(a < b ? `c:${a}:${b}` : `c:${b}:${a}`, a < b ? 1 : -1);
    }
  }
  return { names, values };
}

/**
 * Server clusters of the seven regions with most games in the dataset (from kronusme/dota2-api
 * data/regions.json, MIT); every other cluster is 'other'.
 */
const DOTA_REGIONS: Record<string, readonly number[]> = {
  'Southeast Asia': [151, 152, 153, 154, 155, 156],
  China: [161, 163, 221, 222, 223, 224, 225, 227, 231],
  'Europe West': [131, 132, 133, 134, 135, 136, 137, 138],
  Russia: [181, 182, 183, 184, 185, 186, 187, 188],
  'US East': [121, 122, 123, 124],
  'US West': [111, 112, 113, 114],
  'Europe East': [191, 192],
};
const REGION_OF = new Map(Object.entries(DOTA_REGIONS).flatMap(([name, ids]) => ids.map((id) => [id, name] as const)));
export const dotaRegion = (cluster: number): string => REGION_OF.get(cluster) ?? 'other';
/** Game modes with their own hero terms (2 captains mode, 8 reverse captains, 9 greeviling in the 2016 ids); the rest are 'other'. */
const dotaModeGroup = (mode: number): string => (mode === 2 || mode === 8 || mode === 9 ? String(mode) : 'other');

/**
 * Picks and pairs, plus the lobby's context when the row has it: `r:<region>`, `m:<mode>`, `t:<type>`
 * (1: team 1's base advantage there) and each hero's shift per region and per mode group,
 * `hr:<hero>:<region>` and `hm:<hero>:<mode group>` (+1 team 1's pick, −1 team 2's: still antisymmetric).
 */
function dotaCtx(r: DraftRow): Feats {
  const base = pairs(r);
  if (!r.ctx) return base;
  const names = base.names as string[];
  const values = base.values as number[];
  const region = dotaRegion(r.ctx.cluster);
  const mode = dotaModeGroup(r.ctx.mode);
  names.push(`r:${region}`, `m:${r.ctx.mode}`, `t:${r.ctx.type}`);
  values.push(1, 1, 1);
  for (const [team, sign] of [[r.team1, 1], [r.team2, -1]] as const) {
    for (const h of team) {
      names.push(`hr:${h}:${region}`, `hm:${h}:${mode}`);
      values.push(sign, sign);
    }
  }
  return { names, values };
}

// LoL at minute 10.
const LOL10_DIFFS = ['WardsPlaced', 'WardsDestroyed', 'Kills', 'Assists', 'EliteMonsters', 'Dragons', 'Heralds', 'TowersDestroyed', 'TotalGold', 'AvgLevel', 'TotalExperience', 'TotalMinionsKilled', 'TotalJungleMinionsKilled'];
export const LOL10_ENGINEERED = [...LOL10_DIFFS.map((c) => `diff_${c}`), 'blueFirstBlood', 'blueDragons', 'redDragons', 'gold_x_xp'];

const LOL10_DIFF_IDX = LOL10_DIFFS.map((c) => [LOL10_COL[`blue${c}`]!, LOL10_COL[`red${c}`]!] as const);
const L = LOL10_COL as Record<(typeof LOL10_COLS)[number], number>;

function lol10Engineered(r: TableRow, out: Float64Array): Float64Array {
  const x = r.x;
  let k = 0;
  for (const [b, d] of LOL10_DIFF_IDX) out[k++] = x[b]! - x[d]!;
  const gold = x[L.blueTotalGold!]! - x[L.redTotalGold!]!;
  const xp = x[L.blueTotalExperience!]! - x[L.redTotalExperience!]!;
  out[k++] = x[L.blueFirstBlood!]!;
  out[k++] = x[L.blueDragons!]!;
  out[k++] = x[L.redDragons!]!;
  out[k] = Math.sign(gold) * Math.sqrt(Math.abs(gold * xp)) * (Math.sign(gold) === Math.sign(xp) ? 1 : 0);
  return out;
}

// CS: weapon groups and an equipment value per side (CS:GO 2019–2020 prices, in $).
const CS_PRICE: Record<string, number> = {
  ak47: 2700, aug: 3300, awp: 4750, bizon: 1400, cz75auto: 500, elite: 400, famas: 2050, g3sg1: 5000, galilar: 1800, glock: 0, m249: 5200, m4a1s: 2900, m4a4: 3100, mac10: 1050, mag7: 1300, mp5sd: 1500, mp7: 1500, mp9: 1250, negev: 1700, nova: 1050, p90: 2350, r8revolver: 600, sawedoff: 1100, scar20: 5000, sg553: 3000, ssg08: 1700, ump45: 1200, xm1014: 2000, deagle: 700, fiveseven: 500, usps: 0, p250: 300, p2000: 0, tec9: 500,
  hegrenade: 300, flashbang: 200, smokegrenade: 300, incendiarygrenade: 600, molotovgrenade: 400, decoygrenade: 50,
};
const CS_GROUPS: Record<string, string[]> = {
  rifle: ['ak47', 'm4a4', 'm4a1s', 'aug', 'sg553', 'galilar', 'famas'],
  awp: ['awp'],
  auto: ['g3sg1', 'scar20'],
  scout: ['ssg08'],
  smg: ['bizon', 'mac10', 'mp5sd', 'mp7', 'mp9', 'p90', 'ump45'],
  heavy: ['m249', 'negev', 'nova', 'sawedoff', 'mag7', 'xm1014'],
  pistol: ['cz75auto', 'elite', 'deagle', 'fiveseven', 'p250', 'tec9', 'r8revolver'],
  grenade: CS_GRENADES,
};
const CS_GROUP_NAMES = Object.keys(CS_GROUPS);
export const CS_ENGINEERED = [
  'time_left', 'bomb_planted', 'bomb_x_time', 'nobomb_x_time', 'ct_score', 't_score', 'score_diff',
  'ct_alive', 't_alive', 'alive_diff', 'ct_health', 't_health', 'health_diff', 'ct_hp_per_alive', 't_hp_per_alive',
  'ct_armor', 't_armor', 'armor_diff', 'helmet_diff', 'ct_kits', 'kits_per_alive', 'ct_money', 't_money', 'money_diff',
  'ct_equip', 't_equip', 'equip_diff', 'ct_equip_per_alive', 't_equip_per_alive', 'total_diff',
  ...CS_GROUP_NAMES.flatMap((g) => [`ct_${g}`, `t_${g}`, `${g}_diff`]),
  'bomb_x_ct_alive', 'bomb_x_t_alive', 'bomb_x_kits', 'bomb_x_alive_diff', 'time_x_alive_diff', 'freeze',
  ...CS_MAPS.map((m) => `map=${m}`),
];

// Column indexes and prices per side, built once.
const CS_SIDE = Object.fromEntries(
  (['ct', 't'] as const).map((s) => {
    const items = [...CS_WEAPONS.map((w) => [`${s}_weapon_${w}`, CS_PRICE[w]!] as const), ...CS_GRENADES.map((g) => [`${s}_grenade_${g}`, CS_PRICE[g]!] as const)];
    return [
      s,
      {
        items: Int32Array.from(items, ([c]) => CS_COL[c]!),
        prices: Float64Array.from(items, ([, p]) => p),
        armor: CS_COL[`${s}_armor`]!,
        helmets: CS_COL[`${s}_helmets`]!,
        groups: CS_GROUP_NAMES.map((g) => Int32Array.from(CS_GROUPS[g]!, (w) => CS_COL[`${s}_${g === 'grenade' ? 'grenade' : 'weapon'}_${w}`]!)),
      },
    ];
  }),
) as Record<'ct' | 't', { items: Int32Array; prices: Float64Array; armor: number; helmets: number; groups: Int32Array[] }>;
const C = CS_COL as Record<string, number>;
const [TIME, BOMB, CT_SCORE, T_SCORE, CT_ALIVE, T_ALIVE, CT_HEALTH, T_HEALTH, CT_ARMOR, T_ARMOR, CT_HELMETS, T_HELMETS, CT_KITS, CT_MONEY, T_MONEY] = ['time_left', 'bomb_planted', 'ct_score', 't_score', 'ct_players_alive', 't_players_alive', 'ct_health', 't_health', 'ct_armor', 't_armor', 'ct_helmets', 't_helmets', 'ct_defuse_kits', 'ct_money', 't_money'].map((c) => C[c]!) as number[] as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

function csEquip(x: Float64Array, s: 'ct' | 't'): number {
  const k = CS_SIDE[s];
  let equip = 0;
  for (let i = 0; i < k.items.length; i++) equip += x[k.items[i]!]! * k.prices[i]!;
  return equip + x[k.armor]! * 6.5 + x[k.helmets]! * 350 + (s === 'ct' ? x[CT_KITS]! * 400 : 0);
}

function csGroup(x: Float64Array, cols: Int32Array): number {
  let v = 0;
  for (let i = 0; i < cols.length; i++) v += x[cols[i]!]!;
  return v;
}

function csEngineered(r: TableRow, out: Float64Array): Float64Array {
  const x = r.x;
  const ctEquip = csEquip(x, 'ct');
  const tEquip = csEquip(x, 't');
  const bomb = x[BOMB]!;
  const time = x[TIME]!;
  const ca = x[CT_ALIVE]!;
  const ta = x[T_ALIVE]!;
  const ch = x[CT_HEALTH]!;
  const th = x[T_HEALTH]!;
  const kits = x[CT_KITS]!;
  const cm = x[CT_MONEY]!;
  const tm = x[T_MONEY]!;
  const per = (v: number, n: number) => (n > 0 ? v / n : 0);
  let k = 0;
  const put = (v: number) => {
    out[k++] = v;
  };
  put(time); put(bomb); put(bomb * time); put((1 - bomb) * time); put(x[CT_SCORE]!); put(x[T_SCORE]!); put(x[CT_SCORE]! - x[T_SCORE]!);
  put(ca); put(ta); put(ca - ta); put(ch); put(th); put(ch - th); put(per(ch, ca)); put(per(th, ta));
  put(x[CT_ARMOR]!); put(x[T_ARMOR]!); put(x[CT_ARMOR]! - x[T_ARMOR]!); put(x[CT_HELMETS]! - x[T_HELMETS]!); put(kits); put(per(kits, ca)); put(cm); put(tm); put(cm - tm);
  put(ctEquip); put(tEquip); put(ctEquip - tEquip); put(per(ctEquip, ca)); put(per(tEquip, ta)); put(ctEquip + cm - tEquip - tm);
  const ctG = CS_SIDE.ct.groups;
  const tG = CS_SIDE.t.groups;
  for (let g = 0; g < ctG.length; g++) {
    const a = csGroup(x, ctG[g]!);
    const b = csGroup(x, tG[g]!);
    put(a); put(b); put(a - b);
  }
  put(bomb * ca); put(bomb * ta); put(bomb * kits); put(bomb * (ca - ta)); put((time / 175) * (ca - ta)); put(time > 174 && ch === 500 && th === 500 ? 1 : 0);
  for (const m of CS_MAPS) put(r.map === m ? 1 : 0);
  return out;
}

export const CS_RAW = [...CS_NUM_COLS, 'bomb_planted', ...CS_MAPS.map((m) => `map=${m}`)];
function csRaw(r: TableRow, out: Float64Array): Float64Array {
  out.set(r.x);
  CS_MAPS.forEach((m, i) => (out[r.x.length + i] = r.map === m ? 1 : 0));
  return out;
}

export interface Extractor {
  /** Fixed, ordered feature names for a dense extractor (every row has all of them); absent for sparse ones. */
  dense?: readonly string[];
  /** Human-readable description of a feature, for explanations. */
  label(name: string): string;
  of(r: Row): Feats;
  /** Dense extractors: the values written into `out` (length dense.length), for inference without allocating. */
  into?(r: Row, out: Float64Array): Float64Array;
}

const draftLabel = (unit: string) => (name: string) => {
  const [k, a, b] = name.split(':');
  if (k === 'h') return `${unit} ${a}`;
  if (k === 's') return `synergy ${unit}s ${a}+${b}`;
  if (k === 'c') return `matchup ${unit} ${a} vs ${b}`;
  if (k === 'r') return `region ${a}`;
  if (k === 'm') return `game mode ${a}`;
  if (k === 't') return `lobby type ${a}`;
  if (k === 'hr') return `${unit} ${a} in region ${b}`;
  if (k === 'hm') return `${unit} ${a} in game mode ${b === 'other' ? 'other than 2, 8, 9' : b}`;
  return name;
};

function dense(names: readonly string[], f: (r: TableRow, out: Float64Array) => Float64Array): Extractor {
  return { dense: names, label: (n) => n, of: (r) => ({ names, values: f(r as TableRow, new Float64Array(names.length)) }), into: (r, out) => f(r as TableRow, out) };
}

export const EXTRACTORS: Record<string, Extractor> = {
  'dota-picks': { label: draftLabel('hero'), of: (r) => picks(r as DraftRow) },
  'dota-pairs': { label: draftLabel('hero'), of: (r) => pairs(r as DraftRow) },
  'dota-ctx': { label: draftLabel('hero'), of: (r) => dotaCtx(r as DraftRow) },
  'lol-picks': { label: draftLabel('champion'), of: (r) => picks(r as DraftRow) },
  'lol-pairs': { label: draftLabel('champion'), of: (r) => pairs(r as DraftRow) },
  'lol10-raw': dense(LOL10_COLS, (r, out) => (out.set(r.x), out)),
  'lol10-eng': dense(LOL10_ENGINEERED, lol10Engineered),
  'cs-raw': dense(CS_RAW, csRaw),
  'cs-eng': dense(CS_ENGINEERED, csEngineered),
};

/** What y = 1 means, per task. */
export const POSITIVE: Record<Task, string> = {
  'dota2-draft': 'team 1 (winner = 1) wins',
  'lol-draft': 'team 1 (winner = 1) wins',
  'lol-10min': 'blue wins',
  'cs-round': 'CT wins the round',
};
