// Sign in: the server's providers (GET /auth/providers), each a link to /auth/login/{provider} that
// comes back to the developer portal. A failed sign-in comes back here with the server's message
// (#/signin?error=CODE&message=…).
import { unwrap } from '@clutch/sdk';
import { href } from '../router.ts';
import { SIGNED_IN_PATH, sessionApi, useSession } from '../session.ts';
import { useLoad } from './dev/common.tsx';

export function SignInPage({ error, message }: { error?: string; message?: string }) {
  const session = useSession();
  const providers = useLoad(() => unwrap(sessionApi().GET('/auth/providers')).then((r) => r.data), []);
  return (
    <section className="card signin" aria-labelledby="signin-h" data-testid="signin">
      <h1 id="signin-h">Sign in to the developer portal</h1>
      {error && (
        <p role="alert" className="error" data-testid="signin-error">
          The sign-in did not work: {message ?? error} ({error}). Try again below.
        </p>
      )}
      {session.status === 'signed-out' && session.reason && (
        <p role="status" className="ok">
          {session.reason}
        </p>
      )}
      {session.status === 'signed-in' ? (
        <p>
          You are signed in as <strong>{session.me.user.name}</strong>. <a href={href.dev()}>Open the developer portal</a>
        </p>
      ) : (
        <>
          <p className="muted">Organisations, apps and their credentials, usage, billing, plugins and webhooks. You sign in with an account of one of these providers; nothing is stored in this browser but an HttpOnly session cookie.</p>
          {providers.error && (
            <p role="alert" className="error">
              Could not list the sign-in providers: {providers.error}
            </p>
          )}
          {providers.loading && !providers.data && <p className="muted">Loading the providers…</p>}
          {providers.data && providers.data.length === 0 && (
            <p data-testid="no-providers">
              This server has no sign-in provider (<code>CLUTCH_OIDC_PROVIDERS</code> is empty, as in the demo). Fans' pages work without signing in; API calls use the key of <a href={href.settings()}>Settings</a>.
            </p>
          )}
          {providers.data && providers.data.length > 0 && (
            <ul className="providers" aria-label="Sign-in providers">
              {providers.data.map((p) => (
                <li key={p.id}>
                  <a className="button" href={`${p.loginUrl}?return_to=${encodeURIComponent(SIGNED_IN_PATH)}`} data-provider={p.id}>
                    Sign in with {p.name}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {session.status === 'error' && (
        <p role="alert" className="error">
          {session.message}
        </p>
      )}
      <p className="muted">
        API reference: <a href="/docs">/docs</a> (OpenAPI).
      </p>
    </section>
  );
}
