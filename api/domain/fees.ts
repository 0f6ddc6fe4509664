/**
 * What a withdrawal costs (SPEC §5), shown before the worker confirms. Fees come out of the amount: the worker
 * receives amount − service fee − insurance contribution. The contribution is rounded down to the paisa, in the
 * worker's favour.
 */
export interface FeeRules {
  serviceFeePaise: number;
  /** Insured workers' contribution to the insurance pool, in basis points of the amount (1% = 100). */
  insuranceContributionBps: number;
}

export interface WithdrawalCharges {
  amountPaise: number;
  serviceFeePaise: number;
  insuranceContributionPaise: number;
  netPaise: number;
}

export function withdrawalCharges(amountPaise: number, insured: boolean, rules: FeeRules): WithdrawalCharges {
  const insuranceContributionPaise = insured ? Math.floor((amountPaise * rules.insuranceContributionBps) / 10_000) : 0;
  return {
    amountPaise,
    serviceFeePaise: rules.serviceFeePaise,
    insuranceContributionPaise,
    netPaise: amountPaise - rules.serviceFeePaise - insuranceContributionPaise,
  };
}
