import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../config';
import {
  isoDateOf,
  istDayOfIsoDate,
  type Claim,
  type Contribution,
  type Coverage,
  type CoveragePeriod,
  type CoverageStatus,
  type InsuranceRepository,
  type Premium,
} from '../db/insurance.repository';
import type { Db } from '../db/knex';
import type { OutboxRepository } from '../db/outbox.repository';
import type { PlanRepository } from '../db/plan.repository';
import type { RequestRepository, TimelineEntry } from '../db/request.repository';
import {
  claimProblem,
  coverageAfterMissedPremium,
  defaultInsuranceRules,
  isCoveredOn,
  istYear,
  type ClaimType,
  type CoveredPeriod,
  type InsuranceRules,
} from '../domain/insurance';
import { istDay, type IstDay } from '../domain/ist';
import { AppError, ErrorCode } from '../errors';
import { insuranceCoverageChanged } from '../realtime/event-catalogue';
import type { ApprovalService } from './approval.service';
import type { DocumentService, StoredDocument } from './document.service';
import { fingerprintOf, replayOf } from './idempotency';
import type { LedgerService } from './ledger.service';
import { requestWorkflowId, type ClaimWorkflowInput } from '../../workflows/contracts';
import { startRequestWorkflow } from '../temporal/request-workflows';
import { openRequest } from './open-request';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The insurance rules with the numbers the environment sets (premium, grace); payouts and caps are the defaults. */
export function insuranceRulesFrom(config: Pick<Config, 'INSURANCE_PREMIUM_PAISE' | 'INSURANCE_GRACE_DAYS'>) {
  const rules: InsuranceRules = {
    ...defaultInsuranceRules,
    premiumPaise: config.INSURANCE_PREMIUM_PAISE,
    graceDays: config.INSURANCE_GRACE_DAYS,
  };
  return rules;
}

/** YYYY-MM of the IST month an IST day falls in. */
export const monthOfDay = (day: IstDay): string => isoDateOf(day).slice(0, 7);
const firstDayOfMonth = (month: string): IstDay => istDayOfIsoDate(`${month}-01`);
function firstDayOfNextMonth(day: IstDay): IstDay {
  const date = new Date(day * DAY_MS);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY_MS;
}

/**
 * The days a worker is covered on, as the claim rules read them. A running period ends early when an opt-out is due
 * or the oldest unpaid premium's grace has run out, even before the premium Schedule has closed it.
 */
export function effectiveCoverage(
  coverage: Coverage | undefined,
  periods: readonly CoveragePeriod[],
  unpaid: readonly Premium[],
  rules: InsuranceRules,
): CoveredPeriod[] {
  let runningEndsOn = Number.POSITIVE_INFINITY;
  if (coverage && coverage.optOutEffectiveOn !== null) {
    runningEndsOn = Math.min(runningEndsOn, coverage.optOutEffectiveOn);
  }
  const oldest = unpaid[0];
  if (coverage && coverage.status !== 'lapsed' && oldest) {
    runningEndsOn = Math.min(runningEndsOn, oldest.dueOn + rules.graceDays);
  }
  return periods.map((p) => ({
    from: p.startsOn,
    to: p.endsOn !== null ? p.endsOn - 1 : Number.isFinite(runningEndsOn) ? runningEndsOn - 1 : null,
  }));
}

export interface CoverageDeps {
  db: Db;
  insurance: InsuranceRepository;
  plans: Pick<PlanRepository, 'lockWorker'>;
  ledger: LedgerService;
  outbox: OutboxRepository;
  rules: InsuranceRules;
  now?: () => Date;
}

/** What one worker's premium step changed: grace → active after paying up, into grace, lapsed, reinstated, opted out. */
export type SettleTransition = 'not_enrolled' | 'none' | 'paid_up' | 'grace' | 'lapsed' | 'reinstated' | 'opted_out';
export interface SettleResult {
  transition: SettleTransition;
  premiumsPaid: number;
}

/**
 * Coverage and premiums (SPEC §7), shared by the API (opt-in, opt-out) and the premium Schedule's activities.
 * Every change runs under the worker's row lock (the same lock withdrawals and plan purchases take first), then the
 * coverage row's, so an opt-in, a withdrawal and two premium runs for one worker never interleave.
 */
export function createInsuranceCoverage(deps: CoverageDeps) {
  const { db, insurance, plans, ledger, outbox, rules } = deps;
  const now = deps.now ?? (() => new Date());

  /**
   * Debits a due premium from the wallet into the insurance pool, once (ledger key `premium:<worker>:<month>`).
   * The wallet row is locked and its balance checked first: the ledger remembers a refused key for good, so a
   * premium is only posted when it will succeed; a wallet that cannot pay counts an attempt and is retried later.
   */
  async function collect(trx: Knex.Transaction, premium: Premium, tally?: { paid: number }): Promise<Premium> {
    if (premium.status !== 'due') return premium;
    const wallet = await ledger.walletOf(premium.workerId, trx);
    await insurance.lockAccount(trx, wallet.id);
    const { spendablePaise } = await ledger.balanceOf(wallet.id, trx);
    if (spendablePaise < premium.amountPaise) {
      return insurance.countFailedAttempt(trx, premium.workerId, premium.month);
    }
    const pool = await ledger.systemAccount('insurance_pool', trx);
    const { journal } = await ledger.postJournal(
      {
        idempotencyKey: `premium:${premium.workerId}:${premium.month}`,
        kind: 'insurance_premium',
        postings: [
          { accountId: wallet.id, amountPaise: -premium.amountPaise },
          { accountId: pool.id, amountPaise: premium.amountPaise },
        ],
        description: `Insurance premium ${premium.month}`,
        metadata: { workerId: premium.workerId, month: premium.month },
      },
      trx,
    );
    if (tally) tally.paid += 1;
    return insurance.markPremiumPaid(trx, premium.workerId, premium.month, journal.id);
  }

  /** Applies a coverage change with its event (only when something the worker sees changed). */
  async function change(
    trx: Knex.Transaction,
    coverage: Coverage,
    patch: { status?: CoverageStatus; optOutEffectiveOn?: IstDay | null },
  ): Promise<Coverage> {
    const updated = await insurance.updateCoverage(trx, coverage.workerId, patch);
    if (updated.status !== coverage.status || updated.optOutEffectiveOn !== coverage.optOutEffectiveOn) {
      await outbox.append(trx, coverageEvent(updated));
    }
    return updated;
  }

  /** Lapsed: earlier months are written off (not covered, nothing owed); paying this month's premium reinstates. */
  async function reinstateIfPaid(
    trx: Knex.Transaction,
    coverage: Coverage,
    today: IstDay,
    tally?: { paid: number },
  ): Promise<Coverage> {
    const month = monthOfDay(today);
    await insurance.writeOffUnpaid(trx, coverage.workerId, month);
    const premium = await collect(
      trx,
      await insurance.ensurePremium(trx, {
        workerId: coverage.workerId,
        month,
        amountPaise: rules.premiumPaise,
        dueOn: firstDayOfMonth(month),
      }),
      tally,
    );
    if (premium.status !== 'paid') return coverage;
    await insurance.openPeriod(trx, coverage.workerId, today);
    return change(trx, coverage, { status: 'active' });
  }

  /**
   * Active or in grace: bills the month, collects what is owed oldest first, and lets the oldest unpaid premium's
   * due day run the grace clock. Past the grace, the period closes on the first day after it.
   */
  async function settleCovered(
    trx: Knex.Transaction,
    coverage: Coverage,
    today: IstDay,
    tally: { paid: number },
  ): Promise<Coverage> {
    const month = monthOfDay(today);
    await insurance.ensurePremium(trx, {
      workerId: coverage.workerId,
      month,
      amountPaise: rules.premiumPaise,
      dueOn: firstDayOfMonth(month),
    });
    let oldestUnpaid: Premium | undefined;
    for (const due of await insurance.unpaidPremiums(coverage.workerId, trx)) {
      const after = await collect(trx, due, tally);
      if (after.status !== 'paid') {
        oldestUnpaid = after;
        break;
      }
    }
    if (!oldestUnpaid) return coverage.status === 'grace' ? change(trx, coverage, { status: 'active' }) : coverage;
    if (coverageAfterMissedPremium(oldestUnpaid.dueOn, today, rules) === 'grace') {
      return coverage.status === 'active' ? change(trx, coverage, { status: 'grace' }) : coverage;
    }
    await insurance.closeOpenPeriod(trx, coverage.workerId, oldestUnpaid.dueOn + rules.graceDays);
    await insurance.writeOffUnpaid(trx, coverage.workerId, month);
    return change(trx, coverage, { status: 'lapsed' });
  }

  return {
    collect,

    /**
     * One worker's premium step, as the Schedule runs it: applies a due opt-out, bills the current IST month,
     * retries unpaid premiums, moves to grace or lapsed, reinstates a lapsed worker whose retry succeeds.
     * Idempotent: a second run in the same month finds the premium paid and changes nothing.
     */
    async settle(workerId: string): Promise<SettleResult> {
      return db.transaction(async (trx) => {
        const tally = { paid: 0 };
        if (!(await plans.lockWorker(workerId, trx))) return { transition: 'not_enrolled', premiumsPaid: 0 };
        const coverage = await insurance.lockCoverage(trx, workerId);
        if (!coverage || coverage.status === 'opted_out') return { transition: 'not_enrolled', premiumsPaid: 0 };
        const today = istDay(now());

        if (coverage.optOutEffectiveOn !== null && coverage.optOutEffectiveOn <= today) {
          // Cover ends at the opt-out, or earlier where an unpaid premium's grace ran out first.
          const oldest = (await insurance.unpaidPremiums(workerId, trx))[0];
          const lapseDay = coverage.status !== 'lapsed' && oldest ? oldest.dueOn + rules.graceDays : Infinity;
          await insurance.closeOpenPeriod(trx, workerId, Math.min(coverage.optOutEffectiveOn, lapseDay));
          await insurance.writeOffUnpaid(trx, workerId);
          await change(trx, coverage, { status: 'opted_out' });
          return { transition: 'opted_out', premiumsPaid: 0 };
        }

        const after =
          coverage.status === 'lapsed'
            ? await reinstateIfPaid(trx, coverage, today, tally)
            : await settleCovered(trx, coverage, today, tally);
        const transition: SettleTransition =
          after.status === coverage.status
            ? 'none'
            : coverage.status === 'lapsed'
              ? 'reinstated'
              : after.status === 'active'
                ? 'paid_up'
                : after.status === 'grace'
                  ? 'grace'
                  : 'lapsed';
        // A premium debited without a status change still changed the wallet: the app is told too.
        if (transition === 'none' && tally.paid > 0) await outbox.append(trx, coverageEvent(after));
        return { transition, premiumsPaid: tally.paid };
      });
    },

    /**
     * Starts coverage today and bills this month's premium at once; a wallet that cannot pay is refused (422,
     * nothing stored): only renewals get grace. Already covered: nothing changes, except that a pending opt-out is
     * withdrawn. Lapsed: coverage resumes only when this month's premium can be paid now.
     */
    async optIn(workerId: string): Promise<Coverage> {
      return db.transaction(async (trx) => {
        if (!(await plans.lockWorker(workerId, trx))) throw AppError.notFound('Worker');
        const today = istDay(now());
        const month = monthOfDay(today);
        const current = await insurance.lockCoverage(trx, workerId);
        if (current && (current.status === 'active' || current.status === 'grace')) {
          return current.optOutEffectiveOn === null ? current : change(trx, current, { optOutEffectiveOn: null });
        }
        if (current?.status === 'lapsed') {
          const reinstated = await reinstateIfPaid(trx, current, today);
          if (reinstated.status === 'lapsed') {
            throw new AppError(
              ErrorCode.INSUFFICIENT_FUNDS,
              `Your cover has lapsed; it resumes as soon as this month’s premium of ₹${rules.premiumPaise / 100} ` +
                'can be paid from your wallet',
              { premiumPaise: rules.premiumPaise },
            );
          }
          return reinstated.optOutEffectiveOn === null
            ? reinstated
            : change(trx, reinstated, { optOutEffectiveOn: null });
        }
        // New, or back after an opt-out took effect.
        await insurance.saveOptIn(trx, workerId, 'active');
        await insurance.openPeriod(trx, workerId, today);
        let premium = await insurance.ensurePremium(trx, {
          workerId,
          month,
          amountPaise: rules.premiumPaise,
          dueOn: today,
        });
        if (premium.status === 'lapsed') premium = await insurance.reopenPremium(trx, workerId, month, today);
        premium = await collect(trx, premium);
        // Cover is bought, not lent: grace is for a renewal that cannot be paid, never for the first month (else an
        // uninsured rider could opt in after an accident with ₹0 and claim at once). The transaction rolls back.
        if (premium.status !== 'paid') {
          throw new AppError(
            ErrorCode.INSUFFICIENT_FUNDS,
            `Cover starts when the first premium of ₹${rules.premiumPaise / 100} is paid; add money to your wallet first`,
            { premiumPaise: rules.premiumPaise },
          );
        }
        const coverage = await insurance.updateCoverage(trx, workerId, { status: 'active' });
        await outbox.append(trx, coverageEvent(coverage));
        return coverage;
      });
    },

    /** Coverage continues to the end of the IST month; the Schedule closes it on the 1st. Repeating is harmless. */
    async optOut(workerId: string): Promise<Coverage> {
      return db.transaction(async (trx) => {
        if (!(await plans.lockWorker(workerId, trx))) throw AppError.notFound('Worker');
        const current = await insurance.lockCoverage(trx, workerId);
        if (!current || current.status === 'opted_out') {
          throw new AppError(ErrorCode.NOT_INSURED, 'You are not insured, so there is nothing to opt out of');
        }
        if (current.optOutEffectiveOn !== null) return current;
        return change(trx, current, { optOutEffectiveOn: firstDayOfNextMonth(istDay(now())) });
      });
    },
  };
}

export type InsuranceCoverage = ReturnType<typeof createInsuranceCoverage>;

function coverageEvent(coverage: Coverage) {
  return insuranceCoverageChanged(coverage.workerId, {
    status: coverage.status,
    optOutEffectiveOn: coverage.optOutEffectiveOn === null ? null : isoDateOf(coverage.optOutEffectiveOn),
  });
}

export interface InsuranceStatus {
  coverage: Coverage | undefined;
  coveredToday: boolean;
  currentPeriod: CoveragePeriod | null;
  thisMonth: Premium | undefined;
  /** The oldest premium still owed while covered in grace, with the day cover lapses if it stays unpaid. */
  overdue: { premium: Premium; lapsesOn: IstDay } | null;
  premiumPaise: number;
  claimLimits: Array<{ type: ClaimType; payoutPaise: number; maxPerYear: number; used: number; year: number }>;
}

export interface ClaimDetail {
  claim: Claim;
  documents: StoredDocument[];
  history: TimelineEntry[];
}

export interface FileClaimInput {
  workerId: string;
  idempotencyKey: string;
  type: ClaimType;
  /** The IST calendar day of the incident, YYYY-MM-DD. */
  incidentOn: string;
  description: string;
  documentIds: string[];
}

export interface InsuranceServiceDeps {
  db: Db;
  insurance: InsuranceRepository;
  plans: Pick<PlanRepository, 'lockWorker'>;
  ledger: LedgerService;
  outbox: OutboxRepository;
  requests: RequestRepository;
  approvals: Pick<ApprovalService, 'cancel'>;
  documents: Pick<DocumentService, 'attach' | 'listFor'>;
  temporal: Client;
  config: Pick<
    Config,
    | 'TEMPORAL_TASK_QUEUE'
    | 'INSURANCE_PREMIUM_PAISE'
    | 'INSURANCE_GRACE_DAYS'
    | 'approvalTimings'
    | 'temporalWorkflowUrl'
  >;
  now?: () => Date;
}

/** The worker's insurance (SPEC §7): coverage, contributions and claims; claims are decided by the approvals model. */
export function createInsuranceService(deps: InsuranceServiceDeps) {
  const { db, insurance, plans, outbox, requests, documents, temporal, config } = deps;
  const now = deps.now ?? (() => new Date());
  const rules = insuranceRulesFrom(config);
  const coverage = createInsuranceCoverage({ ...deps, rules });

  /** Starts the claim's workflow; USE_EXISTING makes a retried POST repair a claim whose start was lost. */
  async function ensureWorkflow(claim: Claim): Promise<void> {
    if (claim.status !== 'pending_approval') return;
    const input: ClaimWorkflowInput = {
      claimId: claim.id,
      workerId: claim.workerId,
      payoutPaise: claim.payoutPaise,
      timings: config.approvalTimings.claim,
    };
    await startRequestWorkflow(temporal, requests, {
      id: claim.id,
      type: 'claim',
      workflowType: 'claimWorkflow',
      workflowId: claim.workflowId,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      input,
      workerId: claim.workerId,
      status: claim.status,
      amountPaise: claim.payoutPaise,
      details: { claimId: claim.id },
      retryHint: 'The claim was saved but could not be started yet; retry with the same Idempotency-Key',
    });
  }

  async function coverageFacts(workerId: string, trx?: Knex.Transaction) {
    // One after the other inside a transaction: its single connection runs one query at a time anyway.
    const current = await insurance.findCoverage(workerId, trx);
    const periods = await insurance.periods(workerId, trx);
    const unpaid = await insurance.unpaidPremiums(workerId, trx);
    return { current, periods, unpaid, covered: effectiveCoverage(current, periods, unpaid, rules) };
  }

  return {
    /** Recovery sweep: starts the workflow of a stored claim whose start was lost. */
    async resume(claimId: string): Promise<void> {
      const claim = await insurance.findClaim(claimId);
      if (claim) await ensureWorkflow(claim);
    },

    optIn: (workerId: string) => coverage.optIn(workerId),
    optOut: (workerId: string) => coverage.optOut(workerId),

    async status(workerId: string): Promise<InsuranceStatus> {
      const today = istDay(now());
      const year = istYear(today);
      const [{ current, periods, unpaid, covered }, thisMonth, counted] = await Promise.all([
        coverageFacts(workerId),
        insurance.findPremium(workerId, monthOfDay(today)),
        insurance.claimsCountingTowardCaps(workerId),
      ]);
      const running = periods.find((p) => p.endsOn === null) ?? null;
      const oldest = unpaid[0];
      return {
        coverage: current,
        coveredToday: isCoveredOn(today, covered),
        currentPeriod: running,
        thisMonth,
        overdue:
          current && current.status !== 'lapsed' && oldest
            ? { premium: oldest, lapsesOn: oldest.dueOn + rules.graceDays }
            : null,
        premiumPaise: rules.premiumPaise,
        claimLimits: (Object.keys(rules.claimRules) as ClaimType[]).map((type) => ({
          type,
          payoutPaise: rules.claimRules[type].payoutPaise,
          maxPerYear: rules.claimRules[type].maxPerYear,
          used: counted.filter((c) => c.type === type && istYear(c.incidentOn) === year).length,
          year,
        })),
      };
    },

    async contributions(
      workerId: string,
      page: { before?: { at: Date; kind: string; reference: string }; limit: number },
    ): Promise<{ items: Contribution[]; totals: { premiumsPaise: number; withdrawalSharesPaise: number } }> {
      const [items, totals] = await Promise.all([
        insurance.contributions(workerId, page),
        insurance.contributionTotals(workerId),
      ]);
      return { items, totals };
    },

    /**
     * Files a claim: under the worker's lock (so two claims at once cannot pass a yearly cap), checks every claim
     * rule, then stores the claim, binds its documents, creates the request and its event in one transaction, and
     * starts `claim-<id>`. A refusal names its rule and leaves nothing behind.
     */
    async fileClaim(input: FileClaimInput): Promise<{ claim: Claim; replayed: boolean }> {
      const requestFingerprint = fingerprintOf({
        type: input.type,
        incidentOn: input.incidentOn,
        description: input.description,
        documentIds: input.documentIds,
      });
      const result = await db.transaction(async (trx) => {
        if (!(await plans.lockWorker(input.workerId, trx))) throw AppError.notFound('Worker');
        const earlier = replayOf(
          await insurance.findClaimByKey(input.workerId, input.idempotencyKey, trx),
          requestFingerprint,
          'This Idempotency-Key was already used for a different claim; use a new key for a new claim',
        );
        if (earlier) return { claim: earlier, replayed: true };

        const incidentOn = istDayOfIsoDate(input.incidentOn);
        const { covered } = await coverageFacts(input.workerId, trx);
        const counted = await insurance.claimsCountingTowardCaps(input.workerId, trx);
        const problem = claimProblem(
          {
            type: input.type,
            incidentOn,
            reportedOn: istDay(now()),
            documents: input.documentIds.length,
            coveredPeriods: covered,
            claimsThisYear: counted.map((c) => ({ type: c.type, incidentYear: istYear(c.incidentOn) })),
            incidentYear: istYear(incidentOn),
          },
          rules,
        );
        if (problem) throw new AppError(ErrorCode.CLAIM_NOT_ALLOWED, problem.message, { rule: problem.code });

        const id = randomUUID();
        const payoutPaise = rules.claimRules[input.type].payoutPaise;
        const claim = await insurance.insertClaim(trx, {
          id,
          workerId: input.workerId,
          type: input.type,
          incidentOn,
          description: input.description,
          payoutPaise,
          idempotencyKey: input.idempotencyKey,
          requestFingerprint,
          workflowId: requestWorkflowId('claim', id),
        });
        await documents.attach(trx, input.workerId, 'claim_proof', input.documentIds, id);
        await openRequest(
          trx,
          { requests, outbox },
          {
            id,
            type: 'claim',
            workerId: input.workerId,
            amountPaise: payoutPaise,
            status: claim.status,
            workflowId: claim.workflowId,
            approvalsRequired: 1,
            ...config.approvalTimings.claim,
          },
        );
        return { claim, replayed: false };
      });
      await ensureWorkflow(result.claim);
      return result;
    },

    listClaims(workerId: string, page: { before?: { createdAt: Date; id: string }; limit: number }): Promise<Claim[]> {
      return insurance.listClaims(workerId, page);
    },

    /** One of the worker's claims with its documents and history; another worker's id is simply not found. */
    async getClaim(workerId: string, claimId: string): Promise<ClaimDetail> {
      const claim = await insurance.findClaimForWorker(claimId, workerId);
      if (!claim) throw AppError.notFound('Claim');
      const [files, history] = await Promise.all([documents.listFor(claim.id), requests.timelineOf(claim.id)]);
      return { claim, documents: files, history };
    },

    /** The worker withdraws a claim still waiting for a decision. */
    async cancelClaim(workerId: string, claimId: string): Promise<ClaimDetail> {
      if (!(await insurance.findClaimForWorker(claimId, workerId))) throw AppError.notFound('Claim');
      await deps.approvals.cancel(workerId, 'claim', claimId);
      const claim = (await insurance.findClaim(claimId))!;
      const [files, history] = await Promise.all([documents.listFor(claim.id), requests.timelineOf(claim.id)]);
      return { claim, documents: files, history };
    },

    /** The claim as the admin request detail shows it. */
    async adminClaimView(claimId: string): Promise<Record<string, unknown>> {
      const claim = await insurance.findClaim(claimId);
      if (!claim) throw AppError.notFound('Claim');
      const { covered } = await coverageFacts(claim.workerId);
      return {
        id: claim.id,
        workerId: claim.workerId,
        type: claim.type,
        incidentOn: isoDateOf(claim.incidentOn),
        description: claim.description,
        payoutPaise: claim.payoutPaise,
        currency: 'INR',
        status: claim.status,
        decisionReason: claim.decisionReason,
        coveredOnIncidentDay: isCoveredOn(claim.incidentOn, covered),
        createdAt: claim.createdAt.toISOString(),
        updatedAt: claim.updatedAt.toISOString(),
        workflowId: claim.workflowId,
        workflowUrl: config.temporalWorkflowUrl(claim.workflowId),
      };
    },
  };
}

export type InsuranceService = ReturnType<typeof createInsuranceService>;
