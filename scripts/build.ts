/**
 * `npm run build`: the production build. Compiles the server tree to JavaScript (tsconfig.build.json → dist/),
 * prebundles the workflow code for the worker (dist/workflow-bundle.js, loaded with `workflowBundle: { codePath }`,
 * so a production worker never runs webpack at start-up) and builds the web fronts (admin-web/dist,
 * worker-app/dist, served by the API). `npm run start:prod` runs the result.
 *
 *   --out-dir <dir>   compile somewhere else than dist/ (the build test uses a temporary folder)
 *   --skip-fronts     only the server side
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PREBUILT_WORKFLOW_BUNDLE, workflowInterceptorModules, workflowsPath } from '../activities/create-worker';
import { buildFronts } from './fronts';

const root = path.resolve(__dirname, '..');
const say = (line: string) => console.log(`[build] ${line}`);

function compile(outDir: string): Promise<void> {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tsc failed (exit ${code})`))));
  });
}

export async function build(options: { outDir: string; fronts: boolean }): Promise<void> {
  const started = Date.now();
  const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  // A clean folder: a file deleted from the sources must not live on in the build.
  rmSync(options.outDir, { recursive: true, force: true });
  mkdirSync(options.outDir, { recursive: true });

  const compiled = Date.now();
  await compile(options.outDir);
  say(`compiled the server to ${path.relative(root, options.outDir) || '.'}/ in ${seconds(compiled)}`);

  const bundled = Date.now();
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  // Where the compiled worker (<out>/activities/worker.js) looks for it.
  const bundlePath = path.resolve(options.outDir, 'activities', PREBUILT_WORKFLOW_BUNDLE);
  writeFileSync(bundlePath, code);
  say(
    `bundled the workflows to ${path.relative(root, bundlePath)} (${Math.round(code.length / 1024)} KiB) in ${seconds(bundled)}`,
  );

  if (options.fronts) {
    const built = await buildFronts(say);
    if (built.length === 0) say('no front has a Vite config yet: nothing to build');
  }
  say(`done in ${seconds(started)}`);
}

if (require.main === module) {
  let values: { 'out-dir'?: string; 'skip-fronts'?: boolean };
  try {
    ({ values } = parseArgs({
      options: { 'out-dir': { type: 'string' }, 'skip-fronts': { type: 'boolean' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\nusage: npm run build -- [--out-dir <dir>] [--skip-fronts]`);
    process.exit(1);
  }
  build({ outDir: path.resolve(values['out-dir'] ?? path.join(root, 'dist')), fronts: !values['skip-fronts'] }).catch(
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
