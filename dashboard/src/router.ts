// Hash routing: the server serves one index.html under /app/, and every view is a fragment, so no
// server-side fallback is needed and links keep working when the app is opened from a file server.
//   #/                   live matches (all titles)    #/?title=cs2   one title
//   #/matches/<id>       one match, live              #/settings     API key
import { useSyncExternalStore } from 'react';

export type Route = { page: 'matches'; title?: string } | { page: 'match'; id: string } | { page: 'settings' } | { page: 'not-found'; path: string };

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
  if (path === '/settings') return { page: 'settings' };
  return { page: 'not-found', path };
}

export const href = {
  matches: (title?: string) => (title ? `#/?title=${encodeURIComponent(title)}` : '#/'),
  match: (id: string) => `#/matches/${encodeURIComponent(id)}`,
  settings: () => '#/settings',
};

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  return parseRoute(hash);
}
