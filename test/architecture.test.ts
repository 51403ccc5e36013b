// The layer rules of docs/ARCHITECTURE.md, checked on the import graph of every production file, so they cannot erode.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/**
 * Production TypeScript: tests (`*.test.ts`), contract suites (`*.contract.ts`) and test kits (`*.test-kit.ts`, the
 * helpers and fixtures tests share) are left out (they may reach anywhere), as are `test/` and `bench/`.
 */
const isTestCode = (file: string) =>
  /\.(test|contract|test-kit)\.ts$/.test(file) || file.startsWith('test/') || file.startsWith('bench/');

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && !isTestCode(f) && !f.startsWith('node_modules/'));

interface Edge {
  from: string;
  /** A repo path for relative imports, else the package name. */
  to: string;
  local: boolean;
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;

function edgesOf(file: string): Edge[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const edges: Edge[] = [];
  for (const match of source.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3]!;
    if (spec.startsWith('.'))
      edges.push({ from: file, to: normalize(join(dirname(file), spec)), local: true });
    else {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      edges.push({ from: file, to: pkg, local: false });
    }
  }
  return edges;
}

const edges = files.flatMap(edgesOf);
const local = edges.filter((e) => e.local);

/** The layer of a core file: its folder under core/ (adapters keep their sub-folder: `adapters/google`). */
function coreLayer(file: string): string | undefined {
  if (!file.startsWith('core/')) return undefined;
  const parts = file.split('/');
  if (parts[1] === 'adapters') return parts.length > 3 ? `adapters/${parts[2]}` : 'adapters';
  return parts.length > 2 ? parts[1] : 'root';
}

/** Which core layers each core layer may import (itself included). */
const CORE_RULES: Record<string, readonly string[]> = {
  support: ['support'],
  domain: ['domain', 'support'],
  protocol: ['protocol', 'domain', 'support'],
  auth: ['auth', 'domain', 'support'],
  ports: ['ports', 'domain', 'support'],
  operations: ['operations', 'ports', 'domain', 'support', 'protocol'],
  adapters: ['adapters', 'ports', 'domain', 'support'],
  'adapters/memory': ['adapters/memory', 'adapters', 'ports', 'domain', 'support'],
  'adapters/google': ['adapters/google', 'adapters', 'ports', 'domain', 'support'],
  'adapters/twilio': ['adapters/twilio', 'adapters', 'ports', 'domain', 'support'],
  'adapters/elevenlabs': ['adapters/elevenlabs', 'adapters', 'ports', 'domain', 'support'],
  // The top of core (docs/ARCHITECTURE.md: "any of core/"): it builds adapters and the operations over them.
  composition: [
    'composition',
    'operations',
    'auth',
    'protocol',
    'adapters',
    'adapters/memory',
    'adapters/google',
    'adapters/twilio',
    'adapters/elevenlabs',
    'ports',
    'domain',
    'support',
  ],
};

/** Packages that talk to a cloud or provider, and the only places allowed to import them. */
const SDKS: Record<string, (file: string) => boolean> = {
  '@google-cloud/firestore': (f) => f.startsWith('core/adapters/google/'),
  '@google-cloud/pubsub': (f) => f.startsWith('core/adapters/google/'),
  '@google-cloud/functions-framework': (f) => f === 'functions/index.ts' || f.startsWith('functions/http/'),
  // The webhooks verify signatures with the SDK's own check; the simulator signs like Twilio does.
  twilio: (f) =>
    f.startsWith('core/adapters/twilio/') ||
    f.startsWith('functions/webhooks/') ||
    f.startsWith('simulator/'),
  '@elevenlabs/elevenlabs-js': (f) =>
    f.startsWith('core/adapters/elevenlabs/') || f === 'core/adapters/provider-errors.ts',
  ws: (f) => f.startsWith('services/relay/') || f.startsWith('client/'),
};

describe('architecture', () => {
  it('has no import cycle among production files', () => {
    const graph = new Map<string, string[]>();
    for (const e of local) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
        return;
      }
      state.set(node, 'open');
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps core’s layers in order: domain and support pure, adapters apart, composition on top', () => {
    const violations = local.flatMap((e) => {
      const from = coreLayer(e.from);
      const to = coreLayer(e.to);
      if (!from || !to) return [];
      const allowed = CORE_RULES[from];
      if (!allowed) return [`${e.from}: core/${from} is not a known layer`];
      return allowed.includes(to) ? [] : [`${e.from} → ${e.to} (${from} may not import ${to})`];
    });
    expect(violations).toEqual([]);
  });

  it('imports cloud and provider SDKs, and ws, only in their adapters and edges', () => {
    const violations = edges
      .filter((e) => !e.local && SDKS[e.to] && !SDKS[e.to]!(e.from))
      .map((e) => `${e.from} imports ${e.to}`);
    expect(violations).toEqual([]);
  });

  it('keeps the API and the webhooks independent of each other', () => {
    const crossing = local.filter(
      (e) =>
        (e.from.startsWith('functions/api/') && e.to.startsWith('functions/webhooks/')) ||
        (e.from.startsWith('functions/webhooks/') && e.to.startsWith('functions/api/')),
    );
    expect(crossing.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('lets the browser and client code reach only the protocol, the domain, the error catalogue, assertNever and the client', () => {
    const violations = local.filter(
      (e) =>
        (e.from.startsWith('web/') || e.from.startsWith('client/')) &&
        e.to.startsWith('core/') &&
        e.to !== 'core/support/errors.ts' &&
        e.to !== 'core/support/assert-never.ts' &&
        !['protocol', 'domain'].includes(coreLayer(e.to) ?? ''),
    );
    expect(violations.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('lets no production file import a test file', () => {
    const violations = local.filter((e) => isTestCode(e.to) && !e.to.startsWith('bench/'));
    expect(violations.map((e) => `${e.from} → ${relative('.', e.to)}`)).toEqual([]);
  });
});
