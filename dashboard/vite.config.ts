// Vite: the app is served under /app/ (by `clutch serve` from dist/, or by `vite` in development with
// the API proxied to a running Clutch: CLUTCH_API_URL, default http://127.0.0.1:8080). Sign-in through the
// proxy: start Clutch with CLUTCH_ISSUER=http://127.0.0.1:5173 (the provider sends the browser back to
// /auth/callback here) and CLUTCH_SESSION_COOKIE_SECURE=off; cookies are host-only, so they stay with
// this origin.
import { defineConfig, loadEnv } from 'vite';

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, import.meta.dirname, '');
  const target = env['CLUTCH_API_URL'] ?? 'http://127.0.0.1:8080';
  return {
    base: '/app/',
    oxc: { jsx: { runtime: 'automatic' } },
    build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 600 },
    server: {
      port: 5173,
      proxy: {
        // Host kept: a signed-in WebSocket must come from the site it is opened on (Origin = Host).
        '/v1/live': { target: target.replace(/^http/, 'ws'), ws: true, changeOrigin: false },
        '/v1': { target, changeOrigin: true },
        '/auth': { target, changeOrigin: true },
        '/oauth': { target, changeOrigin: true },
        '/docs': { target, changeOrigin: true },
        '/metrics': { target, changeOrigin: true },
        '/openapi.json': { target, changeOrigin: true },
        '/readyz': { target, changeOrigin: true },
      },
    },
  };
});
