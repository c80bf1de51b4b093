// Hash routing: the server serves one index.html under /app/, and every view is a fragment, so no
// server-side fallback is needed and links keep working when the app is opened from a file server.
//   #/                   live matches (all titles)    #/?title=cs2   one title
//   #/matches/<id>       one match, live              #/settings     API key
//   #/tournaments/<id>   standings, leaderboards    #/teams/<id>[?vs=<team>]  roster, history, head-to-head
//   #/players/<id>       recent matches, history
//   #/signin             sign in (providers)          #/dev/<section>  developer portal (org, apps, usage, billing, plugins, webhooks)
import { useSyncExternalStore } from 'react';

export const DEV_SECTIONS = ['org', 'apps', 'usage', 'billing', 'plugins', 'webhooks'] as const;
export type DevSection = (typeof DEV_SECTIONS)[number];

export type Route =
  | { page: 'matches'; title?: string }
  | { page: 'match'; id: string }
  | { page: 'tournament'; id: string }
  | { page: 'team'; id: string; vs?: string }
  | { page: 'player'; id: string }
  | { page: 'settings' }
  | { page: 'signin'; error?: string; message?: string }
  | { page: 'dev'; section: DevSection }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?');
  const params = new URLSearchParams(query);
  if (path === '/' || path === '') {
    const title = params.get('title');
    return title ? { page: 'matches', title } : { page: 'matches' };
  }
  const m = /^\/matches\/([^/]+)$/.exec(path);
  if (m) return { page: 'match', id: decodeURIComponent(m[1]!) };
  const c = /^\/(tournaments|teams|players)\/([^/]+)$/.exec(path);
  if (c) {
    const id = decodeURIComponent(c[2]!);
    if (c[1] === 'tournaments') return { page: 'tournament', id };
    if (c[1] === 'players') return { page: 'player', id };
    const vs = params.get('vs');
    return { page: 'team', id, ...(vs ? { vs } : {}) };
  }
  if (path === '/settings') return { page: 'settings' };
  if (path === '/signin') {
    const error = params.get('error');
    const message = params.get('message');
    return { page: 'signin', ...(error ? { error } : {}), ...(message ? { message } : {}) };
  }
  if (path === '/dev' || path === '/dev/') return { page: 'dev', section: 'org' };
  const d = /^\/dev\/([a-z]+)$/.exec(path);
  if (d && (DEV_SECTIONS as readonly string[]).includes(d[1]!)) return { page: 'dev', section: d[1] as DevSection };
  return { page: 'not-found', path };
}

export const href = {
  matches: (title?: string) => (title ? `#/?title=${encodeURIComponent(title)}` : '#/'),
  match: (id: string) => `#/matches/${encodeURIComponent(id)}`,
  tournament: (id: string) => `#/tournaments/${encodeURIComponent(id)}`,
  team: (id: string, vs?: string) => `#/teams/${encodeURIComponent(id)}${vs ? `?vs=${encodeURIComponent(vs)}` : ''}`,
  player: (id: string) => `#/players/${encodeURIComponent(id)}`,
  settings: () => '#/settings',
  signin: () => '#/signin',
  dev: (section: DevSection = 'org') => `#/dev/${section}`,
};

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  return parseRoute(hash);
}
