// The Clutch dashboard: fans' live path (live matches → one match, live) and the developer portal
// (sign-in, organisation, apps, usage, billing, plugins, webhooks). Hash routing (router.ts).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { href, useRoute } from './router.ts';
import { MatchesPage } from './pages/MatchesPage.tsx';
import { MatchPage } from './pages/MatchPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { TournamentPage } from './pages/TournamentPage.tsx';
import { TeamPage } from './pages/TeamPage.tsx';
import { PlayerPage } from './pages/PlayerPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { DevPortal } from './pages/dev/DevPortal.tsx';
import './styles.css';

function App() {
  const route = useRoute();
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href={href.matches()}>
          Clutch
        </a>
        <nav aria-label="Main">
          <ul>
            <li>
              <a href={href.matches()} aria-current={route.page === 'matches' || route.page === 'match' || route.page === 'tournament' || route.page === 'team' || route.page === 'player' ? 'page' : undefined}>
                Live matches
              </a>
            </li>
            <li>
              <a href={href.dev()} aria-current={route.page === 'dev' || route.page === 'signin' ? 'page' : undefined}>
                Developers
              </a>
            </li>
            <li>
              <a href={href.settings()} aria-current={route.page === 'settings' ? 'page' : undefined}>
                Settings
              </a>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'matches' && <MatchesPage {...(route.title ? { title: route.title } : {})} />}
        {route.page === 'match' && <MatchPage key={route.id} id={route.id} />}
        {route.page === 'tournament' && <TournamentPage key={route.id} id={route.id} />}
        {route.page === 'team' && <TeamPage key={route.id} id={route.id} vs={route.vs} />}
        {route.page === 'player' && <PlayerPage key={route.id} id={route.id} />}
        {route.page === 'settings' && <SettingsPage />}
        {route.page === 'signin' && <SignInPage {...(route.error ? { error: route.error } : {})} {...(route.message ? { message: route.message } : {})} />}
        {route.page === 'dev' && <DevPortal section={route.section} />}
        {route.page === 'not-found' && (
          <section className="card">
            <h1>Not found</h1>
            <p>
              Nothing at <code>{route.path}</code>. <a href={href.matches()}>Live matches</a>
            </p>
          </section>
        )}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
