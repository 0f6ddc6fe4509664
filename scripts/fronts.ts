/**
 * Builds the web fronts (admin-web: landing page and admin portal; worker-app: the worker PWA) with Vite into their
 * dist/ folders, which the API serves (api/plugins/fronts.ts). `npm run build:fronts`; the test suite and `npm start`
 * call it too, so a fresh clone never serves a stale or missing build.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
export const FRONTS = ['admin-web', 'worker-app'] as const;

function viteBuild(front: string): Promise<void> {
  const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', front, '--logLevel', 'warn'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build ${front} failed (exit ${code}):\n${output}`)),
    );
  });
}

/** Builds every front that has a Vite config; one after the other (each already uses every core). */
export async function buildFronts(log: (line: string) => void = () => {}): Promise<string[]> {
  const built: string[] = [];
  for (const front of FRONTS) {
    if (!['vite.config.mts', 'vite.config.ts'].some((f) => existsSync(path.join(repoRoot, front, f)))) continue;
    const started = Date.now();
    await viteBuild(front);
    log(`built ${front} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    built.push(front);
  }
  return built;
}

if (require.main === module) {
  buildFronts(console.log).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
