import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

const fixtures = path.join(__dirname, '../fixtures/histories');

/**
 * With GIGBIT_RECORD_HISTORIES=1, saves a finished run's history as a replay fixture (test/fixtures/histories),
 * so fixtures come from the same scenarios the suite asserts. Otherwise does nothing. `runId` picks one run of a
 * continue-as-new chain (the first, for a loan's approval phase); without it the latest run is saved.
 */
export async function recordHistory(client: Client, workflowId: string, name: string, runId?: string): Promise<void> {
  if (process.env.GIGBIT_RECORD_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  writeFileSync(path.join(fixtures, `${name}.json`), `${historyToJSON(history)}\n`);
}

/** The first run of a workflow id (a continue-as-new chain starts there). */
export async function firstRunId(client: Client, workflowId: string): Promise<string> {
  const description = await client.workflow.getHandle(workflowId).describe();
  return description.raw.workflowExecutionInfo?.firstRunId ?? description.runId;
}
