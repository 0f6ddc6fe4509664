import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import pg from 'pg';
import { workflowInterceptorModules, workflowsPath } from '../activities/create-worker';
import { migrateLatest } from '../scripts/db';
import { buildFronts } from '../scripts/fronts';
import { ensureTemporalCli } from '../scripts/temporal-cli';
import { ensureChromium } from './helpers/browser';
import { startDevServer, type DevServer } from '../scripts/temporal-dev-server';
import { adminDatabaseUrl, publishTestEnvironment, redisUrl, withDatabase } from './helpers/environment';

declare global {
  var gigbitDevServer: DevServer | undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup(): Promise<void> {
  const runId = `${process.pid}`;
  const cli = ensureTemporalCli((line) => console.log(`\n${line}`));
  // The browser tests (test/e2e) drive the fronts as the API serves them: built once per run, like production.
  ensureChromium((line) => console.log(`\n${line}`));
  const [, devServer, bundle] = await Promise.all([
    buildFronts(),
    freePort().then((port) => startDevServer({ cli, port })),
    bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
    }),
  ]);
  globalThis.gigbitDevServer = devServer;

  const dir = mkdtempSync(path.join(os.tmpdir(), 'gigbit-test-'));
  const workflowBundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  const adminUrl = adminDatabaseUrl();
  const templateDatabase = `gigbit_tpl_${runId}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase}`);
    await admin.query(`CREATE DATABASE ${templateDatabase}`);
  } finally {
    await admin.end();
  }
  await migrateLatest(withDatabase(adminUrl, templateDatabase));

  publishTestEnvironment({
    temporalAddress: devServer.address,
    adminDatabaseUrl: adminUrl,
    templateDatabase,
    workflowBundlePath,
    runId,
    redisUrl: redisUrl(),
  });
}
