// The vocabulary the LoL adapters share: structure names, dragon elements, player ids from names,
// and the champion table (checked against Riot's static data and real match JSONs when present).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHAMPIONS, championName } from '../../../src/ingest/adapters/lol/champions.ts';
import { dragonObjective, nameId, structureFromName, towerSubtype } from '../../../src/ingest/adapters/lol/common.ts';
import { describeWithSharedData, sharedFile } from '../harness.ts';

describe('lol common', () => {
  it('reads Live Client structure names: owner, lane, tier (the base turrets are named asymmetrically)', () => {
    expect(structureFromName('Turret_T1_L_03_A')).toEqual({ objective: 'tower', owner: 'blue', subtype: 'top_outer' });
    expect(structureFromName('Turret_T1_C_06_A')).toEqual({ objective: 'tower', owner: 'blue', subtype: 'top_base' });
    expect(structureFromName('Turret_T1_C_07_A')).toEqual({ objective: 'tower', owner: 'blue', subtype: 'bot_base' });
    expect(structureFromName('Turret_T2_R_01_A')).toEqual({ objective: 'tower', owner: 'red', subtype: 'bot_base' });
    expect(structureFromName('Turret_T2_C_01_A')).toEqual({ objective: 'tower', owner: 'red', subtype: 'mid_nexus' });
    expect(structureFromName('Barracks_T2_R1')).toEqual({ objective: 'inhibitor', owner: 'red', subtype: 'bot' });
    expect(structureFromName('Turret_Shrine_A')).toEqual({ objective: 'tower', subtype: 'Turret_Shrine_A' });
    expect(structureFromName('SRU_Baron')).toBeUndefined();
  });

  it('one dragon vocabulary for every source; elder is its own objective', () => {
    expect(['FIRE_DRAGON', 'Fire', 'infernal'].map(dragonObjective)).toEqual(Array(3).fill({ objective: 'dragon', subtype: 'infernal' }));
    expect(['EARTH_DRAGON', 'Water', 'cloud', 'CHEMTECH_DRAGON'].map((d) => dragonObjective(d).subtype)).toEqual(['mountain', 'ocean', 'cloud', 'chemtech']);
    expect(dragonObjective('ELDER_DRAGON')).toEqual({ objective: 'elder_dragon' });
    expect(dragonObjective('Elder')).toEqual({ objective: 'elder_dragon' });
    expect(dragonObjective(undefined)).toEqual({ objective: 'dragon' });
  });

  it('tower subtypes from Match-V5 lane and tier', () => {
    expect(towerSubtype('BOT_LANE', 'INNER_TURRET')).toBe('bot_inner');
    expect(towerSubtype('MID_LANE', 'NEXUS_TURRET')).toBe('mid_nexus');
    expect(towerSubtype(undefined, 'BASE_TURRET')).toBe('base');
  });

  it('player ids from names: a slug, with a hash when the name is not plain ASCII', () => {
    expect(nameId('Vexlo#0001')).toBe('vexlo-0001');
    expect(nameId('pee woo woo')).toBe('pee-woo-woo');
    const korean = nameId('젠지 한별');
    expect(korean).toMatch(/^unnamed-[\w-]{8}$/);
    expect(nameId('완벽범죄')).not.toBe(korean);
    expect(nameId('ˉˉˉSplash')).toMatch(/^splash-[\w-]{8}$/);
  });

  it('champion names by id, learned names first, a placeholder for unknown ids', () => {
    expect(championName(62)).toBe('MonkeyKing');
    expect(championName(62, new Map([[62, 'Wukong']]))).toBe('Wukong');
    expect(championName(9999)).toBe('champion 9999');
    expect(CHAMPIONS.size).toBeGreaterThan(160);
  });
});

describeWithSharedData('lol champion table against real data', () => {
  it('agrees with Riot static data v7.18 (champion_info_2.json) on every champion it lists', () => {
    const info = JSON.parse(readFileSync(sharedFile('lol', 'champion_info_2.json'), 'utf8')) as { data: Record<string, { id: number; key: string }> };
    const champions = Object.values(info.data).filter((c) => c.id > 0);
    expect(champions.length).toBe(138);
    expect(champions.filter((c) => CHAMPIONS.get(c.id) !== c.key)).toEqual([]);
  });

  it('agrees with championId/championName of every participant in the real match JSONs', () => {
    const dir = sharedFile('fixtures', 'lol-riot-api');
    const files = readdirSync(dir).filter((f) => /^match(_.*)?\.json$/.test(f));
    let checked = 0;
    for (const f of files) {
      const m = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as { info?: { participants?: { championId: number; championName: string }[] } };
      for (const p of m.info?.participants ?? []) {
        if (!('championName' in p)) continue;
        expect(CHAMPIONS.get(p.championId), `${f} ${p.championId}`).toBe(p.championName);
        checked++;
      }
    }
    expect(checked).toBe(30);
  });
});
