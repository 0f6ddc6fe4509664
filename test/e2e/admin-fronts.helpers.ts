import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BUILT = path.resolve(__dirname, '..', '..', 'admin-web', 'dist');

/** Every /assets/… file the two pages load is present under `dist`. */
function complete(dist: string): boolean {
  for (const page of ['index.html', path.join('admin', 'index.html')]) {
    const file = path.join(dist, page);
    if (!existsSync(file)) return false;
    for (const [, asset] of readFileSync(file, 'utf8').matchAll(/"\/(assets\/[^"]+)"/g)) {
      if (!existsSync(path.join(dist, asset!))) return false;
    }
  }
  return true;
}

/**
 * A private copy of the built portal and landing page for one test file, given to the API as FRONTS_DIR. Any other
 * test run on the machine rebuilds admin-web/dist in its global set-up (emptying it first), which would pull the
 * pages from under a browser that is loading them.
 */
export async function privateFrontsDir(): Promise<string> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gigbit-admin-fronts-'));
  const dist = path.join(root, 'admin-web', 'dist');
  for (let attempt = 0; attempt < 20; attempt++) {
    rmSync(dist, { recursive: true, force: true });
    if (complete(BUILT)) {
      cpSync(BUILT, dist, { recursive: true });
      if (complete(dist)) return root;
    }
    // A rebuild is running right now: it takes about a second.
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no complete admin-web build at ${BUILT}: run npm run build:fronts`);
}
