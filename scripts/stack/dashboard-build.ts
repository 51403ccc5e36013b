// Builds the dashboard bundle with Vite when it is missing or older than its sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '../../core/support/log.ts';

/** The dashboard's Vite root. */
export const WEB_ROOT = resolve(import.meta.dirname, '../../web');

/** Source trees the bundle is built from (the dashboard imports shared types and the client library). */
const SOURCE_DIRS = ['web/src', 'web/index.html', 'web/public', 'client', 'core'];

export async function ensureDashboardBuilt(outDir: string, logger: Logger): Promise<'built' | 'fresh'> {
  const index = join(outDir, 'index.html');
  if (existsSync(index) && newestSource() <= statSync(index).mtimeMs) return 'fresh';
  logger.info('building the dashboard', { outDir });
  const { build } = await import('vite');
  await build({
    root: WEB_ROOT,
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return 'built';
}

function newestSource(): number {
  const repo = resolve(WEB_ROOT, '..');
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path))
        if (entry !== 'node_modules' && entry !== 'dist') visit(join(path, entry));
    } else if (stat.mtimeMs > newest) newest = stat.mtimeMs;
  };
  for (const dir of SOURCE_DIRS) visit(join(repo, dir));
  return newest;
}
