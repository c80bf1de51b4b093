// Valorant content ids → names. Riot's match JSON names agents, weapons and armour by UUID and maps
// by asset path; these are the published ids (the same as valorant-api.com's). An id missing here
// (new agent or weapon) is kept as-is rather than failing the match.
const AGENTS: Record<string, string> = {
  'add6443a-41bd-e414-f6ad-e58d267f4e95': 'Jett',
  'f94c3b30-42be-e959-889c-5aa313dba261': 'Raze',
  'a3bfb853-43b2-7238-a4f1-ad90e9e46bcc': 'Reyna',
  'eb93336a-449b-9c1b-0a54-a891f7921d69': 'Phoenix',
  '7f94d92c-4234-0a36-9646-3a87eb8b5c89': 'Yoru',
  'bb2a4828-46eb-8cd1-e765-15848195d751': 'Neon',
  '0e38b510-41a8-5780-5e8f-568b2a4f2d6c': 'Iso',
  'df1cb487-4902-002e-5c17-d28e83e78588': 'Waylay',
  '320b2a48-4d9b-a075-30f1-1f93a9b638fa': 'Sova',
  '5f8d3a7f-467b-97f3-062c-13acf203c006': 'Breach',
  '6f2a04ca-43e0-be17-7f36-b3908627744d': 'Skye',
  '601dbbe7-43ce-be57-2a40-4abd24953621': 'KAY/O',
  'dade69b4-4f5a-8528-247b-219e5a1facd6': 'Fade',
  'e370fa57-4757-3604-3648-499e1f642d3f': 'Gekko',
  'b444168c-4e35-8076-db47-ef9bf368f384': 'Tejo',
  '9f0d8ba9-4140-b941-57d3-a7ad57c6b417': 'Brimstone',
  '707eab51-4836-f488-046a-cda6bf494859': 'Viper',
  '8e253930-4c05-31dd-1b6c-968525494517': 'Omen',
  '41fb69c1-4189-7b37-f117-bcaf1e96f1bf': 'Astra',
  '95b78ed7-4637-86d9-7e41-71ba8c293152': 'Harbor',
  '1dbf2edd-4729-0984-3115-daa5eed44993': 'Clove',
  '569fdd95-4d10-43ab-ca70-79becc718b46': 'Sage',
  '117ed9e3-49f3-6512-3ccf-0cada7e3823b': 'Cypher',
  '1e58de9c-4950-5125-93e9-a0aee9f98746': 'Killjoy',
  '22697a3d-45bf-8dd7-4fec-84a9e28c69d7': 'Chamber',
  'cc8b64c8-4b25-4ff9-6e7f-37b4da43d235': 'Deadlock',
  'efba5359-4016-a1e5-7626-b1ae76895940': 'Vyse',
};

const GEAR: Record<string, string> = {
  '29a0cfab-485b-f5d5-779a-b59f85e204a8': 'Classic',
  '42da8ccc-40d5-affc-beec-15aa47b42eda': 'Shorty',
  '44d4e95c-4157-0037-81b2-17841bf2e8e3': 'Frenzy',
  '1baa85b4-4c70-1284-64bb-6481dfc3bb4e': 'Ghost',
  'e336c6b8-418d-9340-d77f-7a9e4cfe0702': 'Sheriff',
  'f7e1b454-4ad4-1063-ec0a-159e56b58941': 'Stinger',
  '462080d1-4035-2937-7c09-27aa2a5c27a7': 'Spectre',
  '910be174-449b-c412-ab22-d0873436b21b': 'Bucky',
  'ec845bf4-4f79-ddda-a3da-0db3774b2794': 'Judge',
  'ae3de142-4d85-2547-dd26-4e90bed35cf7': 'Bulldog',
  '4ade7faa-4cf1-8376-95ef-39884480959b': 'Guardian',
  'ee8e8d15-496b-07ac-e5f6-8fae5d4c7b1a': 'Phantom',
  '9c82e19d-4575-0200-1a81-3eacf00cf872': 'Vandal',
  '5f0aaf7a-4289-3998-d5ff-eb9a5cf7ef5c': 'Outlaw',
  'c4883e50-4494-202c-3ec3-6b8a9284f00b': 'Marshal',
  'a03b24d3-4319-996d-0f8c-94bbfba1dfc7': 'Operator',
  '55d8a0f4-4274-ca67-fe2c-06ab45efdf58': 'Ares',
  '63e6c2b6-4a8e-869c-3d4c-e38355226584': 'Odin',
  '2f59173c-4bed-b6c3-2191-dea9b58be9c7': 'Melee',
  '4dec83d5-4902-9ab3-bed6-a7a390761157': 'Light Shields',
  '822bcab2-40a2-324e-c137-e09195ad7692': 'Heavy Shields',
  'b1b9086d-41bd-a516-5d29-e3b34a6f1644': 'Regen Shield',
};

/** Map code names in asset paths ("/Game/Maps/Duality/Duality" is Bind). */
const MAPS: Record<string, string> = {
  ascent: 'Ascent',
  duality: 'Bind',
  bonsai: 'Split',
  triad: 'Haven',
  port: 'Icebox',
  foxtrot: 'Breeze',
  canyon: 'Fracture',
  pitt: 'Pearl',
  jam: 'Lotus',
  juliett: 'Sunset',
  infinity: 'Abyss',
  range: 'The Range',
};

export function agentName(id: string): string {
  return AGENTS[id.toLowerCase()] ?? id;
}

/** A weapon or armour name; undefined for an empty id. */
export function gearName(id: string | undefined): string | undefined {
  if (!id) return undefined;
  return GEAR[id.toLowerCase()] ?? id;
}

export function mapName(mapId: string): string {
  const code = mapId.split('/').filter(Boolean).at(-1) ?? mapId;
  return MAPS[code.toLowerCase()] ?? code;
}
