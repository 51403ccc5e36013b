// Writes the package.json and lockfile of the Cloud Functions upload into a staging directory that already holds
// dist/: production dependencies only, `main` = the compiled entry, and an empty `gcp-build` so Cloud Build installs
// and runs the compiled code instead of compiling again.
// Usage: node infra/stage-package.mjs <stage-dir>
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';

const ENTRY = 'dist/functions/index.js';
const root = resolve(import.meta.dirname, '..');
const stage = process.argv[2];
if (!stage) throw new TypeError('usage: node infra/stage-package.mjs <stage-dir>');
if (!existsSync(join(stage, ENTRY)))
  throw new Error(`${join(stage, ENTRY)} is missing: run npm run build and copy dist/ first`);

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const staged = {
  name: `${pkg.name}-functions`,
  version: pkg.version,
  private: true,
  type: pkg.type,
  engines: pkg.engines,
  main: ENTRY,
  // The Node.js buildpack runs `gcp-build` instead of `build` when present; empty = no build step.
  scripts: { 'gcp-build': '' },
  dependencies: pkg.dependencies,
};
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);
// Prune the repository's lockfile to the production tree: same resolved versions, no devDependencies.
copyFileSync(join(root, 'package-lock.json'), join(stage, 'package-lock.json'));
execFileSync(
  'npm',
  ['install', '--package-lock-only', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
  { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'] },
);
