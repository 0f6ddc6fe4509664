/**
 * The floor for bench/pipeline.ts: a workflow with as many activities as an auto-approved withdrawal runs (approve,
 * request payout, check payout, complete payout), each a no-op, with the same timeouts. Its own workflowsPath, so
 * nothing here is ever registered by the production worker.
 */
import { proxyActivities } from '@temporalio/workflow';

export interface FloorActivities {
  step(n: number): Promise<number>;
}

export const FLOOR_ACTIVITY_COUNT = 4;

const { step } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30 seconds' });

export async function floorWorkflow(): Promise<number> {
  let total = 0;
  for (let n = 0; n < FLOOR_ACTIVITY_COUNT; n++) total += await step(n);
  return total;
}
