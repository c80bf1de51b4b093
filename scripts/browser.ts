// Chromium for the dashboard's end-to-end test (dashboard/test), driven by playwright-core. Debian's
// `chromium` package (/usr/bin/chromium), installed with apt-get when missing, like the services'
// packages; CLUTCH_CHROMIUM points at another build.
//   npm run browser:install     (idempotent; prints the path)
import { existsSync } from 'node:fs';
import { aptInstall, which } from './services/util.ts';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium to use, or undefined when none is installed. */
export function findChromium(): string | undefined {
  const own = process.env['CLUTCH_CHROMIUM'];
  if (own) {
    if (!existsSync(own)) throw new Error(`CLUTCH_CHROMIUM=${own}: no such file`);
    return own;
  }
  return CANDIDATES.find((p) => existsSync(p)) ?? which('chromium') ?? undefined;
}

/** The Chromium to use, installing Debian's package first when there is none. */
export function ensureChromium(log: (m: string) => void = (m) => process.stderr.write(`[browser] ${m}\n`)): string {
  const found = findChromium();
  if (found) return found;
  aptInstall(['chromium'], log);
  const installed = findChromium();
  if (!installed) throw new Error('apt-get installed chromium but no chromium binary was found');
  return installed;
}

if (import.meta.main) {
  try {
    process.stdout.write(`${ensureChromium()}\n`);
  } catch (err) {
    process.stderr.write(`[browser] ${(err as Error).message}\n`);
    process.exit(1);
  }
}
