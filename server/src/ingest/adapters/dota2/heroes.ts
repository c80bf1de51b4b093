// Dota 2 hero ids and names, transcribed from Steam's IEconDOTA2_570/GetHeroes (ids, internal names
// without the "npc_dota_hero_" prefix, English names). Payloads carry only an id (OpenDota, Steam) or
// an internal name (GSI, OpenDota kill logs); events carry the English name. Heroes added after this
// list fall back to `hero_<id>` / the internal name, so a new hero never breaks parsing.
type Hero = readonly [id: number, internal: string, name: string];

const HEROES: readonly Hero[] = [
  [1, 'antimage', 'Anti-Mage'], [2, 'axe', 'Axe'], [3, 'bane', 'Bane'],
  [4, 'bloodseeker', 'Bloodseeker'], [5, 'crystal_maiden', 'Crystal Maiden'], [6, 'drow_ranger', 'Drow Ranger'],
  [7, 'earthshaker', 'Earthshaker'], [8, 'juggernaut', 'Juggernaut'], [9, 'mirana', 'Mirana'],
  [10, 'morphling', 'Morphling'], [11, 'nevermore', 'Shadow Fiend'], [12, 'phantom_lancer', 'Phantom Lancer'],
  [13, 'puck', 'Puck'], [14, 'pudge', 'Pudge'], [15, 'razor', 'Razor'],
  [16, 'sand_king', 'Sand King'], [17, 'storm_spirit', 'Storm Spirit'], [18, 'sven', 'Sven'],
  [19, 'tiny', 'Tiny'], [20, 'vengefulspirit', 'Vengeful Spirit'], [21, 'windrunner', 'Windranger'],
  [22, 'zuus', 'Zeus'], [23, 'kunkka', 'Kunkka'], [25, 'lina', 'Lina'],
  [26, 'lion', 'Lion'], [27, 'shadow_shaman', 'Shadow Shaman'], [28, 'slardar', 'Slardar'],
  [29, 'tidehunter', 'Tidehunter'], [30, 'witch_doctor', 'Witch Doctor'], [31, 'lich', 'Lich'],
  [32, 'riki', 'Riki'], [33, 'enigma', 'Enigma'], [34, 'tinker', 'Tinker'],
  [35, 'sniper', 'Sniper'], [36, 'necrolyte', 'Necrophos'], [37, 'warlock', 'Warlock'],
  [38, 'beastmaster', 'Beastmaster'], [39, 'queenofpain', 'Queen of Pain'], [40, 'venomancer', 'Venomancer'],
  [41, 'faceless_void', 'Faceless Void'], [42, 'skeleton_king', 'Wraith King'], [43, 'death_prophet', 'Death Prophet'],
  [44, 'phantom_assassin', 'Phantom Assassin'], [45, 'pugna', 'Pugna'], [46, 'templar_assassin', 'Templar Assassin'],
  [47, 'viper', 'Viper'], [48, 'luna', 'Luna'], [49, 'dragon_knight', 'Dragon Knight'],
  [50, 'dazzle', 'Dazzle'], [51, 'rattletrap', 'Clockwerk'], [52, 'leshrac', 'Leshrac'],
  [53, 'furion', "Nature's Prophet"], [54, 'life_stealer', 'Lifestealer'], [55, 'dark_seer', 'Dark Seer'],
  [56, 'clinkz', 'Clinkz'], [57, 'omniknight', 'Omniknight'], [58, 'enchantress', 'Enchantress'],
  [59, 'huskar', 'Huskar'], [60, 'night_stalker', 'Night Stalker'], [61, 'broodmother', 'Broodmother'],
  [62, 'bounty_hunter', 'Bounty Hunter'], [63, 'weaver', 'Weaver'], [64, 'jakiro', 'Jakiro'],
  [65, 'batrider', 'Batrider'], [66, 'chen', 'Chen'], [67, 'spectre', 'Spectre'],
  [68, 'ancient_apparition', 'Ancient Apparition'], [69, 'doom_bringer', 'Doom'], [70, 'ursa', 'Ursa'],
  [71, 'spirit_breaker', 'Spirit Breaker'], [72, 'gyrocopter', 'Gyrocopter'], [73, 'alchemist', 'Alchemist'],
  [74, 'invoker', 'Invoker'], [75, 'silencer', 'Silencer'], [76, 'obsidian_destroyer', 'Outworld Destroyer'],
  [77, 'lycan', 'Lycan'], [78, 'brewmaster', 'Brewmaster'], [79, 'shadow_demon', 'Shadow Demon'],
  [80, 'lone_druid', 'Lone Druid'], [81, 'chaos_knight', 'Chaos Knight'], [82, 'meepo', 'Meepo'],
  [83, 'treant', 'Treant Protector'], [84, 'ogre_magi', 'Ogre Magi'], [85, 'undying', 'Undying'],
  [86, 'rubick', 'Rubick'], [87, 'disruptor', 'Disruptor'], [88, 'nyx_assassin', 'Nyx Assassin'],
  [89, 'naga_siren', 'Naga Siren'], [90, 'keeper_of_the_light', 'Keeper of the Light'], [91, 'wisp', 'Io'],
  [92, 'visage', 'Visage'], [93, 'slark', 'Slark'], [94, 'medusa', 'Medusa'],
  [95, 'troll_warlord', 'Troll Warlord'], [96, 'centaur', 'Centaur Warrunner'], [97, 'magnataur', 'Magnus'],
  [98, 'shredder', 'Timbersaw'], [99, 'bristleback', 'Bristleback'], [100, 'tusk', 'Tusk'],
  [101, 'skywrath_mage', 'Skywrath Mage'], [102, 'abaddon', 'Abaddon'], [103, 'elder_titan', 'Elder Titan'],
  [104, 'legion_commander', 'Legion Commander'], [105, 'techies', 'Techies'], [106, 'ember_spirit', 'Ember Spirit'],
  [107, 'earth_spirit', 'Earth Spirit'], [108, 'abyssal_underlord', 'Underlord'], [109, 'terrorblade', 'Terrorblade'],
  [110, 'phoenix', 'Phoenix'], [111, 'oracle', 'Oracle'], [112, 'winter_wyvern', 'Winter Wyvern'],
  [113, 'arc_warden', 'Arc Warden'], [114, 'monkey_king', 'Monkey King'], [119, 'dark_willow', 'Dark Willow'],
  [120, 'pangolier', 'Pangolier'], [121, 'grimstroke', 'Grimstroke'], [123, 'hoodwink', 'Hoodwink'],
  [126, 'void_spirit', 'Void Spirit'], [128, 'snapfire', 'Snapfire'], [129, 'mars', 'Mars'],
  [131, 'ringmaster', 'Ringmaster'], [135, 'dawnbreaker', 'Dawnbreaker'], [136, 'marci', 'Marci'],
  [137, 'primal_beast', 'Primal Beast'], [138, 'muerta', 'Muerta'], [145, 'kez', 'Kez'],
];

const byId = new Map<number, Hero>(HEROES.map((h) => [h[0], h]));
const byInternal = new Map<string, Hero>(HEROES.map((h) => [h[1], h]));

function internalOf(name: string): string {
  return name.startsWith('npc_dota_hero_') ? name.slice('npc_dota_hero_'.length) : name;
}

/** English name of a hero id; `hero_<id>` when the id is unknown. */
export function heroNameById(id: number): string {
  return byId.get(id)?.[2] ?? `hero_${id}`;
}

/** Internal name ("drow_ranger") of a hero id, when known. */
export function heroInternalById(id: number): string | undefined {
  return byId.get(id)?.[1];
}

/** English name from an internal name ("npc_dota_hero_drow_ranger" or "drow_ranger"); the bare internal name when unknown. */
export function heroNameByInternal(name: string): string {
  const internal = internalOf(name);
  return byInternal.get(internal)?.[2] ?? internal;
}

/** Hero id from an internal name, when known. */
export function heroIdByInternal(name: string): number | undefined {
  return byInternal.get(internalOf(name))?.[0];
}
