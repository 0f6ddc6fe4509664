import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { testEnvironment } from '../helpers/environment';
import { quietTemporalRuntime } from '../helpers/harness';

/**
 * Histories recorded from real runs (test/fixtures/histories, see its README) replayed against the current
 * workflow code: a change that would break running workflows fails here, before it reaches production.
 */
describe('workflow replay', () => {
  const dir = path.join(__dirname, '../fixtures/histories');
  const fixtures = readdirSync(dir).filter((file) => file.endsWith('.json'));

  it('has recorded histories to replay', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(6);
  });

  beforeAll(quietTemporalRuntime);

  it.each(fixtures)('%s replays deterministically', async (file) => {
    const history: unknown = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    const workflowBundle = { code: readFileSync(testEnvironment().workflowBundlePath, 'utf8') };
    await expect(Worker.runReplayHistory({ workflowBundle }, history, file)).resolves.toBeUndefined();
  });
});
