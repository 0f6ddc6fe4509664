import { Type, type Static } from '@sinclair/typebox';
import { Currency } from './common';

const Paise = (description: string) => Type.Integer({ minimum: 0, description: `${description}; integer paise` });
const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Bps = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 10_000, description: `${description}; basis points (1% = 100)` });

/** The product rules a worker is told, with the figures this deployment is configured with. */
export const RulesView = Type.Object(
  {
    currency: Currency,
    withdrawal: Type.Object({
      minPaise: Paise('Smallest withdrawal'),
      maxPaise: Paise('Largest withdrawal'),
      serviceFeePaise: Paise('Service fee taken from each withdrawal'),
      insuranceShareBps: Bps('Insured workers also give this share of each withdrawal to the insurance pool'),
      approvalFromPaise: Paise('From this amount an admin decides first; below it the withdrawal goes out at once'),
    }),
    loan: Type.Object({
      minScore: Count('The score (0–1000) a loan needs'),
      minAmountPaise: Paise('Smallest loan'),
      maxAmountPaise: Paise('Largest loan, whatever the earnings'),
      maxShareOfEarningsBps: Bps('At most this share of the window’s earnings may be borrowed'),
      windowDays: Count('The eligibility looks at the earnings of this many days, ending today'),
      minTenureDays: Count('Condition C1: days since joining'),
      minWorkedDays: Count('Condition C2: days with any earnings in the window'),
      minGoodDays: Count('Condition C3: days in the window earning at least goodDayPaise'),
      goodDayPaise: Paise('What a day must earn to count for condition C3'),
      twoApproversFromPaise: Paise('From this amount two people approve a loan'),
      lateFeePaise: Paise('Added to an instalment that falls overdue'),
    }),
    insurance: Type.Object({
      premiumPaise: Paise('Premium per month'),
      premiumGraceDays: Count('Days cover continues after a premium could not be paid'),
      claimReportingWindowDays: Count('A claim must be sent within this many days of the incident'),
      claimMinDocuments: Count('Fewest proof documents a claim needs'),
      claimMaxDocuments: Count('Most proof documents a claim takes'),
      claims: Type.Array(
        Type.Object({
          type: Type.Union([Type.Literal('vehicle_damage'), Type.Literal('product_damage_loss')]),
          payoutPaise: Paise('What an approved claim of this type pays'),
          maxPerYear: Count('Claims of this type a year (claims not rejected count)'),
        }),
      ),
    }),
    documents: Type.Object({
      maxBytes: Count('Largest proof document (photo or PDF), in bytes'),
    }),
    accountDeletion: Type.Object({
      graceDays: Count('After approval the worker can still cancel for this long; whole days, rounded up'),
      graceMs: Count('The same grace period exactly, in milliseconds'),
    }),
  },
  { $id: 'Rules' },
);
export type RulesView = Static<typeof RulesView>;
