import type { Config } from '../config';
import type { LoanRules } from '../domain/loan';
import type { RulesView } from '../schemas/rules';
import { insuranceRulesFrom } from './insurance.service';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The figures a worker is told (limits, fees, thresholds, windows), read from the configuration and the rule tables
 * the services themselves apply, so an app never has to copy a number into its texts.
 */
export function productRules(deps: {
  config: Pick<
    Config,
    | 'WITHDRAWAL_MIN_PAISE'
    | 'WITHDRAWAL_MAX_PAISE'
    | 'WITHDRAWAL_SERVICE_FEE_PAISE'
    | 'INSURANCE_CONTRIBUTION_BPS'
    | 'WITHDRAWAL_AUTO_APPROVE_BELOW_PAISE'
    | 'LOAN_FOUR_EYES_FROM_PAISE'
    | 'LOAN_LATE_FEE_PAISE'
    | 'INSURANCE_PREMIUM_PAISE'
    | 'INSURANCE_GRACE_DAYS'
    | 'DOCUMENT_MAX_BYTES'
    | 'DELETION_GRACE_MS'
  >;
  /** The loan service's rules (defaults with the configured amounts). */
  loanRules: LoanRules;
}): RulesView {
  const { config, loanRules } = deps;
  const insurance = insuranceRulesFrom(config);
  return {
    currency: 'INR',
    withdrawal: {
      minPaise: config.WITHDRAWAL_MIN_PAISE,
      maxPaise: config.WITHDRAWAL_MAX_PAISE,
      serviceFeePaise: config.WITHDRAWAL_SERVICE_FEE_PAISE,
      insuranceShareBps: config.INSURANCE_CONTRIBUTION_BPS,
      approvalFromPaise: config.WITHDRAWAL_AUTO_APPROVE_BELOW_PAISE,
    },
    loan: {
      minScore: loanRules.minScore,
      minAmountPaise: loanRules.minAmountPaise,
      maxAmountPaise: loanRules.maxAmountPaise,
      maxShareOfEarningsBps: loanRules.maxShareOfEarningsBps,
      windowDays: loanRules.windowDays,
      minTenureDays: loanRules.minTenureDays,
      minWorkedDays: loanRules.minWorkedDays,
      minGoodDays: loanRules.minGoodDays,
      goodDayPaise: loanRules.goodDayPaise,
      twoApproversFromPaise: config.LOAN_FOUR_EYES_FROM_PAISE,
      lateFeePaise: config.LOAN_LATE_FEE_PAISE,
    },
    insurance: {
      premiumPaise: insurance.premiumPaise,
      premiumGraceDays: insurance.graceDays,
      claimReportingWindowDays: insurance.reportingWindowDays,
      claimMinDocuments: insurance.minDocuments,
      claimMaxDocuments: insurance.maxDocuments,
      claims: (Object.keys(insurance.claimRules) as Array<keyof typeof insurance.claimRules>).map((type) => ({
        type,
        payoutPaise: insurance.claimRules[type].payoutPaise,
        maxPerYear: insurance.claimRules[type].maxPerYear,
      })),
    },
    documents: { maxBytes: config.DOCUMENT_MAX_BYTES },
    accountDeletion: {
      graceDays: Math.ceil(config.DELETION_GRACE_MS / DAY_MS),
      graceMs: config.DELETION_GRACE_MS,
    },
  };
}
