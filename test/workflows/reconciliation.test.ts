import { randomUUID } from 'node:crypto';
import { ensureSchedules } from '../../api/temporal/schedules';
import {
  LEDGER_RECONCILIATION_SCHEDULE_ID,
  withdrawalWorkflowId,
  type ReconciliationSummary,
} from '../../workflows/contracts';
import {
  bearer,
  createHarness,
  fundWorker,
  postWithdrawal,
  signInAdmin,
  signInWorker,
  type Harness,
} from '../helpers/harness';
import { credit, ledgerFor, workerWithWallet } from '../ledger/helpers';
import { recordHistory } from '../helpers/histories';

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('ledger reconciliation on a Temporal Schedule', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: true, env: { LEDGER_RECONCILIATION_INTERVAL_MS: '3600000' } });
  });
  afterAll(async () => {
    await h.api.temporal.schedule
      .getHandle(LEDGER_RECONCILIATION_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    await h.close();
  });

  it('creates the schedule once, updates it on a later start, and a triggered pass stores a clean report', async () => {
    const ledger = ledgerFor(h.database.db);
    const { wallet, platform } = await workerWithWallet(h.database.db, ledger);
    await credit(ledger, platform.id, wallet.id, 12_345);

    await ensureSchedules(h.api.temporal, h.config);
    await ensureSchedules(h.api.temporal, { ...h.config, LEDGER_RECONCILIATION_INTERVAL_MS: 7_200_000 });
    const handle = h.api.temporal.schedule.getHandle(LEDGER_RECONCILIATION_SCHEDULE_ID);
    const description = await handle.describe();
    expect(description.spec.intervals?.[0]?.every).toBe(7_200_000);
    expect(description.action).toMatchObject({
      workflowType: 'ledgerReconciliationWorkflow',
      taskQueue: h.config.TEMPORAL_TASK_QUEUE,
    });

    await handle.trigger();
    const report = await waitFor(
      async () =>
        (await h.database
          .db('ledger_reconciliations')
          .where('run_key', 'like', `${LEDGER_RECONCILIATION_SCHEDULE_ID}%`)
          .first()) as { status: string; findings: unknown[]; counts: { journals: number } } | undefined,
      'the scheduled reconciliation report',
    );
    expect(report).toMatchObject({ status: 'clean', findings: [] });
    expect(report.counts.journals).toBeGreaterThanOrEqual(1);
  });
});

describe('ledger reconciliation finds drift', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: true });
  });
  afterAll(() => h.close());

  it('reports a tampered cached balance to admins and leaves it as found', async () => {
    const ledger = ledgerFor(h.database.db);
    const { wallet, platform } = await workerWithWallet(h.database.db, ledger);
    await credit(ledger, platform.id, wallet.id, 50_000);
    // A direct write that the account's constraints allow but the postings do not explain.
    await h.database.db('ledger_accounts').where({ id: wallet.id }).increment('balance_paise', 100);

    const summary: ReconciliationSummary = await h.api.temporal.workflow.execute('ledgerReconciliationWorkflow', {
      workflowId: `reconcile-${randomUUID()}`,
      taskQueue: h.config.TEMPORAL_TASK_QUEUE,
    });
    expect(summary).toMatchObject({ status: 'drift', findings: 1 });

    const admin = await signInAdmin(h.api.app);
    const response = await h.api.app.inject({
      method: 'GET',
      url: '/v1/admin/ledger/reconciliations',
      headers: bearer(admin.token),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      items: [
        {
          id: summary.reconciliationId,
          status: 'drift',
          findings: [
            {
              check: 'cached_balance_drift',
              subject: wallet.id,
              detail: { cachedPaise: '50100', postingsPaise: '50000' },
            },
          ],
        },
      ],
      nextCursor: null,
    });
    const events = await h.database.db('outbox_events').where({ type: 'ledger.drift_detected' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      to_admins: true,
      worker_id: null,
      payload: { reconciliationId: summary.reconciliationId, findings: 1 },
    });
    // Reported, not repaired: correcting money is a reviewed decision.
    expect(await ledger.balanceOf(wallet.id)).toMatchObject({ balancePaise: 50_100 });

    const worker = await signInWorker(h.api.app);
    const asWorker = await h.api.app.inject({
      method: 'GET',
      url: '/v1/admin/ledger/reconciliations',
      headers: bearer(worker.token),
    });
    expect(asWorker.statusCode).toBe(403);
  });
});

describe('reconciliation compares payouts with the rail', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ worker: true });
  });
  afterAll(() => h.close());

  it('is clean when the rail agrees, and reports a payout the rail remembers differently', async () => {
    const worker = await signInWorker(h.api.app);
    await fundWorker(h, worker, { earningsPaise: 5_000_000 });
    const ids: string[] = [];
    for (const key of ['rail-check-1', 'rail-check-2']) {
      const response = await postWithdrawal(h.api.app, worker.token, key, { amountPaise: 300_000 });
      ids.push(response.json<{ id: string }>().id);
    }
    for (const id of ids) await h.api.temporal.workflow.getHandle(withdrawalWorkflowId(id)).result();
    await recordHistory(h.api.temporal, withdrawalWorkflowId(ids[0]!), 'withdrawal-v2-auto-approved-then-paid');
    let lastWorkflowId = '';
    const reconcile = (): Promise<ReconciliationSummary> =>
      h.api.temporal.workflow.execute('ledgerReconciliationWorkflow', {
        workflowId: (lastWorkflowId = `reconcile-${randomUUID()}`),
        taskQueue: h.config.TEMPORAL_TASK_QUEUE,
      });
    expect(await reconcile()).toMatchObject({ status: 'clean', findings: 0 });
    await recordHistory(h.api.temporal, lastWorkflowId, 'ledger-reconciliation-clean');

    // The rail's record of the first payout says it failed, and of the second that it paid a different amount.
    const [first, second] = ids.map((id) => [...h.rail.payouts.values()].find((p) => p.reference === id)!);
    first!.status = 'failed';
    second!.amountPaise += 1;
    const summary = await reconcile();
    expect(summary).toMatchObject({ status: 'drift', findings: 2 });
    const report = (await h.database.db('ledger_reconciliations').where({ id: summary.reconciliationId }).first()) as {
      findings: unknown[];
    };
    expect(report.findings).toEqual(
      expect.arrayContaining([
        { check: 'payout_state_mismatch', subject: ids[0], detail: { status: 'paid', railStatus: 'failed' } },
        { check: 'payout_amount_mismatch', subject: ids[1], detail: { netPaise: 299_600, railPaise: 299_601 } },
      ]),
    );
  });
});
