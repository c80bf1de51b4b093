// lol-livestats against its contract, ../shared/data/fixtures/lol-esports-livestats/openapi.yaml. No
// real frames were captured and the contract has no examples for /window or /details, so the check
// runs the other way: every field the contract marks required is present in our fixtures (so the
// fixtures are valid documents of the contract), and the enums it declares are the values they use.
// The YAML is read with two regular expressions rather than a YAML library the project does not have.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { lolLivestats } from '../../../src/ingest/adapters/lol/livestats/adapter.ts';
import { ctx, describeWithSharedData, expectValidDrafts, sharedFile } from '../harness.ts';
import { fixture, fixtureJson } from './fixtures.ts';

type Obj = Record<string, unknown>;

/** The text of components.schemas.<name> (4-space indented key, up to the next one). */
function schemaBlock(yaml: string, name: string): string {
  const start = yaml.indexOf(`\n    ${name}:\n`);
  if (start < 0) throw new Error(`schema ${name} not in the contract`);
  const rest = yaml.slice(start + name.length + 7);
  const end = rest.search(/\n {4}[A-Za-z]\w*:\n/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Union of every `required: [...]` list in a schema (allOf parts included). */
function required(yaml: string, name: string): string[] {
  const out = new Set<string>();
  for (const m of schemaBlock(yaml, name).matchAll(/required:\s*\[([^\]]*)\]/g)) for (const f of m[1]!.split(',')) out.add(f.trim());
  return [...out];
}

function enumOf(yaml: string, name: string, property: string): string[] {
  const block = schemaBlock(yaml, name);
  const m = new RegExp(`${property}:[\\s\\S]*?enum:\\s*\\[([^\\]]*)\\]`).exec(block);
  if (!m) throw new Error(`no enum for ${name}.${property}`);
  return m[1]!.split(',').map((s) => s.trim());
}

function missing(o: Obj, fields: string[]): string[] {
  return fields.filter((f) => !(f in o));
}

describeWithSharedData('lol-livestats against the lolesports OpenAPI contract', () => {
  const yaml = readFileSync(sharedFile('fixtures', 'lol-esports-livestats', 'openapi.yaml'), 'utf8');
  const windows = ['window-01.json', 'window-02.json', 'window-03.json'].map((f) => fixtureJson<Obj & { frames: Obj[]; gameMetadata: Obj }>('lol-livestats', f));
  const details = fixtureJson<{ frames: (Obj & { participants: Obj[] })[] }>('lol-livestats', 'details-01.json');

  it('has no examples for /window or /details to parse (documented in docs/sources/lol.md)', () => {
    for (const name of ['window', 'windowFrame', 'teamStats', 'participantStats', 'detailsFrame', 'extendedParticipantStats']) {
      expect(schemaBlock(yaml, name)).not.toMatch(/\bexamples?:/);
    }
  });

  it('our /window fixtures carry every required field of window, gameMetadata, teamMetadata, windowFrame, teamStats, participantStats', () => {
    expect(required(yaml, 'window')).toEqual(['esportsGameId', 'esportsMatchId', 'gameMetadata', 'frames']);
    expect(required(yaml, 'teamStats')).toEqual(['totalGold', 'inhibitors', 'towers', 'barons', 'totalKills', 'dragons', 'participants']);
    // participantStats is allOf [baseParticipantStats, {totalGold, currentHealth, maxHealth}].
    const participantFields = [...required(yaml, 'baseParticipantStats'), ...required(yaml, 'participantStats')];
    expect(participantFields).toEqual(['participantId', 'level', 'kills', 'deaths', 'assists', 'creepScore', 'totalGold', 'currentHealth', 'maxHealth']);
    for (const w of windows) {
      expect(missing(w, required(yaml, 'window'))).toEqual([]);
      expect(missing(w.gameMetadata, required(yaml, 'gameMetadata'))).toEqual([]);
      for (const side of ['blueTeamMetadata', 'redTeamMetadata']) {
        const team = w.gameMetadata[side] as Obj & { participantMetadata: Obj[] };
        expect(missing(team, required(yaml, 'teamMetadata'))).toEqual([]);
        for (const p of team.participantMetadata) expect(missing(p, required(yaml, 'participantMetadata'))).toEqual([]);
      }
      for (const f of w.frames) {
        expect(missing(f, required(yaml, 'windowFrame'))).toEqual([]);
        for (const side of ['blueTeam', 'redTeam']) {
          const team = f[side] as Obj & { participants: Obj[]; dragons: string[] };
          expect(missing(team, required(yaml, 'teamStats'))).toEqual([]);
          for (const p of team.participants) expect(missing(p, participantFields)).toEqual([]);
          for (const d of team.dragons) expect(enumOf(yaml, 'teamStats', 'dragons')).toContain(d);
        }
      }
    }
  });

  it('gameState: the contract says in_game | finished; our fixtures add the paused state of the live feed', () => {
    expect(enumOf(yaml, 'windowFrame', 'gameState')).toEqual(['in_game', 'finished']);
    const states = new Set(windows.flatMap((w) => w.frames.map((f) => f.gameState)));
    expect(states).toEqual(new Set(['in_game', 'finished', 'paused']));
  });

  it('our /details fixture carries every required field of detailsFrame and extendedParticipantStats', () => {
    expect(required(yaml, 'extendedParticipantStats')).toContain('totalGoldEarned');
    for (const f of details.frames) {
      expect(missing(f, required(yaml, 'detailsFrame'))).toEqual([]);
      for (const p of f.participants) {
        expect(missing(p, [...required(yaml, 'baseParticipantStats'), ...required(yaml, 'participantStats'), ...required(yaml, 'extendedParticipantStats')])).toEqual([]);
        expect(missing(p.perkMetadata as Obj, required(yaml, 'perkMetadata'))).toEqual([]);
      }
    }
  });

  it('the contract-valid fixtures parse into valid drafts', () => {
    let state = lolLivestats.initialState();
    const drafts = [];
    for (const f of ['window-01.json', 'details-01.json', 'window-02.json', 'window-03.json']) {
      const out = lolLivestats.parse(fixture('lol-livestats', f), state, ctx());
      state = out.state;
      drafts.push(...out.drafts);
    }
    expectValidDrafts(lolLivestats, drafts);
    expect(drafts.length).toBeGreaterThan(0);
  });
});
