// The four game titles Clutch covers. Stable identifiers: they appear in topics, URLs and storage.
export const TITLES = ['lol', 'cs2', 'valorant', 'dota2'] as const;
export type Title = (typeof TITLES)[number];

export const TITLE_NAMES: Record<Title, string> = {
  lol: 'League of Legends',
  cs2: 'Counter-Strike 2',
  valorant: 'Valorant',
  dota2: 'Dota 2',
};

/** How the live score of a title is counted: rounds won (shooters) or kills (MOBAs, as broadcasts show). */
export const SCORE_UNIT: Record<Title, 'rounds' | 'kills'> = {
  lol: 'kills',
  cs2: 'rounds',
  valorant: 'rounds',
  dota2: 'kills',
};

export function isTitle(value: unknown): value is Title {
  return typeof value === 'string' && (TITLES as readonly string[]).includes(value);
}
