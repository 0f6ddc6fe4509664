import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { requestWorkflowId, withdrawalWorkflowId } from '../../workflows/contracts';
import { testEnvironment } from '../helpers/environment';
import {
  bearer,
  createHarness,
  fundWorker,
  postWithdrawal,
  signInAdmin,
  signInWorker,
  TEST_DATA_KEY,
  TEST_RAIL_SECRET,
  TEST_SECRET,
  type Harness,
} from '../helpers/harness';
import { decideRequest, seedEarningHistory, uploadDocument } from '../helpers/loans';
import { runEntry, waitFor, type Run } from '../helpers/processes';

/**
 * The Temporal worker process is killed (SIGKILL, no draining) while a loan disbursal and a withdrawal's posting
 * are inside their database transactions, after their first writes. A new worker process takes over: both
 * workflows complete and each journal exists exactly once. The transactions are held mid-way by row locks this
 * test takes, so the kill lands inside them every time, not by luck of timing. (The other half of exactly-once,
 * an activity that committed but whose result was lost, is the idempotent retry tested in loans.test.ts.)
 */
describe('a worker process killed in the middle of moving money', () => {
  let h: Harness;
  const processes: Run[] = [];

  beforeAll(async () => {
    h = await createHarness({ listen: true });
  });
  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await h.close();
  });

  function startWorkerProcess(): Run {
    const run = runEntry('activities/worker.ts', {
      DATABASE_URL: h.database.url,
      TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
      TEMPORAL_TASK_QUEUE: h.config.TEMPORAL_TASK_QUEUE,
      PAYOUT_RAIL_URL: h.rail.url,
      PAYOUT_STATUS_POLL_MS: '200',
      ACCESS_TOKEN_SECRET: TEST_SECRET,
      PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
      DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
      LOG_LEVEL: 'warn',
    });
    processes.push(run);
    return run;
  }

  /** Backends of this test's database waiting on a row lock: the worker's transactions held mid-way. */
  async function blockedTransactions(): Promise<number> {
    const name = new URL(h.database.url).pathname.slice(1);
    const rows: { rows: Array<{ count: string }> } = await h.database.db.raw(
      `SELECT count(*) AS count FROM pg_stat_activity WHERE datname = ? AND wait_event_type = 'Lock'`,
      [name],
    );
    return Number(rows.rows[0]!.count);
  }

  const count = async (table: string, where: Record<string, unknown>) =>
    Number((await h.database.db(table).where(where).count<Array<{ count: string }>>('* as count'))[0]!.count);

  it('completes the loan disbursal and the withdrawal payout once each after the crash', async () => {
    const first = startWorkerProcess();
    const admin = await signInAdmin(h.api.app);

    // A withdrawal that reaches the rail; its settlement is delayed so the row can be locked before posting.
    const rider = await signInWorker(h.api.app);
    await fundWorker(h, rider, { earningsPaise: 5_000_000 });
    h.rail.setBehaviour({ outcome: 'succeed', delayMs: 1500, duplicateWebhooks: 0 });
    const withdrawal = (
      await postWithdrawal(h.api.app, rider.token, `crash-${randomUUID()}`, { amountPaise: 600_000 })
    ).json<{
      id: string;
    }>();
    expect((await decideRequest(h.api.app, admin.token, withdrawal.id, { decision: 'approve' })).statusCode).toBe(200);
    await waitFor(
      async () =>
        (await h.database.db('withdrawals').where({ id: withdrawal.id }).first<{ status: string }>('status')).status ===
        'paying',
      'withdrawal paying',
    );

    // A loan waiting for its decision.
    const borrower = await signInWorker(h.api.app);
    await seedEarningHistory(h, borrower, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
    const documentId = await uploadDocument(h.api.app, borrower.token);
    const loan = (
      await h.api.app.inject({
        method: 'POST',
        url: '/v1/loans',
        headers: { ...bearer(borrower.token), 'idempotency-key': `crash-${randomUUID()}` },
        payload: { amountPaise: 1_000_000, documentId },
      })
    ).json<{ id: string }>();

    // Hold two rows each transaction writes late: the withdrawal's posting stops at its status update, after the
    // journal is written; the loan's disbursal stops at the wallet's balance, after the schedule is written. Both
    // transactions have uncommitted writes when the worker dies.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const holding = h.database.db.transaction(async (trx: Knex.Transaction) => {
      await trx('withdrawals').where({ id: withdrawal.id }).forUpdate().first('id');
      await trx('ledger_accounts')
        .where({ code: `wallet:${borrower.workerId}` })
        .forUpdate()
        .first('id');
      await released;
    });
    const decision = decideRequest(h.api.app, admin.token, loan.id, { decision: 'approve' });
    await waitFor(async () => (await blockedTransactions()) >= 2, 'both transactions blocked', 15_000);

    first.child.kill('SIGKILL');
    await first.exited;
    release();
    await holding;
    startWorkerProcess();

    // The new worker retries the lost activities once their start-to-close timeout passes.
    const [loanResult] = await Promise.all([
      decision,
      h.api.temporal.workflow.getHandle(withdrawalWorkflowId(withdrawal.id)).result(),
    ]);
    // The admin's request waits at most 20 s for the outcome; the disbursal's retry comes after the lost attempt's
    // 30 s timeout, so the API may have answered "may still be recorded" before it: the loan completes either way.
    if (loanResult.statusCode === 200) expect(loanResult.json()).toMatchObject({ status: 'active' });
    else {
      expect(loanResult.statusCode).toBe(503);
      expect(loanResult.json()).toMatchObject({ error: { message: expect.stringMatching(/may still be recorded/) } });
    }
    await waitFor(
      async () =>
        (await h.database.db('loans').where({ id: loan.id }).first<{ status: string }>('status')).status === 'active',
      'loan active',
      45_000,
    );
    expect(await h.database.db('withdrawals').where({ id: withdrawal.id }).first('status')).toEqual({ status: 'paid' });

    expect(await count('ledger_journals', { idempotency_key: `loan:${loan.id}:disbursal` })).toBe(1);
    expect(await count('ledger_journals', { idempotency_key: `withdrawal:${withdrawal.id}:post` })).toBe(1);
    expect(await count('loan_instalments', { loan_id: loan.id })).toBe(6);
    expect([...h.rail.payouts.values()].filter((p) => p.reference === withdrawal.id)).toHaveLength(1);
    const loanRun = await h.api.temporal.workflow.getHandle(requestWorkflowId('loan', loan.id)).describe();
    expect(loanRun.status.name).toBe('RUNNING'); // now in its repayment phase
  }, 120_000);
});
