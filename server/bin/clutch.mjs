#!/usr/bin/env node
// Entry point of the `clutch` command. Plain JavaScript so that an old Node gets a clear message
// instead of a syntax error; the CLI itself is TypeScript run by Node 24's type stripping.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`clutch needs Node.js 24 or newer (this is ${process.version}). Use \`nvm use\`, or run it through npm (npm run demo), which installs Node 24 into .tools/node.`);
  process.exit(1);
}
await import('../src/cli.ts');
