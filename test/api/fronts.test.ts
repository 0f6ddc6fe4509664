import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startApi, testConfig, type ApiInstance } from '../helpers/harness';

/** A built front as Vite leaves it: pages at the top, content-hashed files under assets/. */
function fakeBuild(root: string, front: string, pages: Record<string, string>) {
  for (const [file, body] of Object.entries(pages)) {
    const target = path.join(root, front, 'dist', file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, body);
  }
}

describe('the API serves the built fronts', () => {
  let database: TestDatabase;
  let api: ApiInstance;
  let bare: ApiInstance;

  beforeAll(async () => {
    database = await createTestDatabase();
    const root = mkdtempSync(path.join(os.tmpdir(), 'gigbit-fronts-'));
    fakeBuild(root, 'admin-web', {
      'index.html': '<h1>landing</h1>',
      'admin/index.html': '<h1>portal</h1>',
      'assets/portal-3f2a.js': 'console.log(1)',
    });
    fakeBuild(root, 'worker-app', { 'index.html': '<h1>worker app</h1>', 'sw.js': 'self.x = 1' });
    api = await startApi(testConfig(database, { FRONTS_DIR: root }), database);
    bare = await startApi(testConfig(database, { FRONTS_DIR: mkdtempSync(path.join(os.tmpdir(), 'none-')) }), database);
  });
  afterAll(async () => {
    await api.close();
    await bare.close();
    await database.drop();
  });

  const get = (instance: ApiInstance, url: string) => instance.app.inject({ method: 'GET', url });

  it('landing at /, portal at /admin/ with deep links, worker app at /app/ with deep links', async () => {
    expect((await get(api, '/')).body).toBe('<h1>landing</h1>');
    expect((await get(api, '/admin/')).body).toBe('<h1>portal</h1>');
    expect((await get(api, '/admin/requests/123')).body).toBe('<h1>portal</h1>');
    expect((await get(api, '/app/')).body).toBe('<h1>worker app</h1>');
    const deep = await get(api, '/app/loans/9');
    expect(deep.body).toBe('<h1>worker app</h1>');
    expect(deep.headers['cache-control']).toBe('no-cache');
  });

  it('caches hashed assets for a year and never the service worker', async () => {
    const asset = await get(api, '/assets/portal-3f2a.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await get(api, '/app/sw.js')).headers['cache-control']).toBe('no-cache');
  });

  it('a missing file or API route is still the JSON 404, not a page', async () => {
    const missingAsset = await get(api, '/assets/nope.js');
    expect(missingAsset.statusCode).toBe(404);
    const missingRoute = await get(api, '/v1/nothing-here');
    expect(missingRoute.statusCode).toBe(404);
    expect(missingRoute.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('without a build the API still answers, and pages are 404', async () => {
    expect((await get(bare, '/healthz')).statusCode).toBe(200);
    expect((await get(bare, '/admin/')).statusCode).toBe(404);
  });
});
