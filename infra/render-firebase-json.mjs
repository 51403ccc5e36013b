// Renders the Hosting part of firebase.json for one deploy: the bundle under ./public and every function rewrite
// pointed at the deploy region (firebase.json in the repository names us-central1).
// Usage: node infra/render-firebase-json.mjs <firebase.json> <region> <out-file>
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const [source, region, out] = process.argv.slice(2);
if (!source || !region || !out)
  throw new TypeError('usage: render-firebase-json.mjs <firebase.json> <region> <out>');

const { hosting } = JSON.parse(readFileSync(source, 'utf8'));
const rewrites = (hosting.rewrites ?? []).map((rewrite) =>
  rewrite.function && typeof rewrite.function === 'object'
    ? { ...rewrite, function: { ...rewrite.function, region } }
    : rewrite,
);
writeFileSync(out, `${JSON.stringify({ hosting: { ...hosting, public: 'public', rewrites } }, null, 2)}\n`);
