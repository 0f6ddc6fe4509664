import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { istMonth } from '../../domain/ist';
import { AppError, ErrorCode } from '../../errors';
import { commonErrorResponses, Paise } from '../../schemas/common';
import type { PlanService } from '../../services/plan.service';

const CommissionReport = Type.Object({
  month: Type.String({ description: 'IST month, YYYY-MM' }),
  platforms: Type.Array(
    Type.Object({
      slug: Type.String(),
      name: Type.String(),
      commissionPaise: Paise,
      purchases: Type.Integer({ description: 'Plan purchases with a slot bound to this platform during the month' }),
      workers: Type.Integer(),
    }),
  ),
  commissionPaise: Paise,
  purchasesInMonth: Type.Integer(),
  revenuePaise: Paise,
  marginPaise: Type.Integer({
    description: 'Σ (price − commission rate × slots) over the purchases made in the month',
  }),
});

const Month = Type.String({ pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])$' });
const MAX_MONTHS = 24;
const RangeQuery = Type.Object(
  {
    from: Type.Optional({ ...Month, description: 'First IST month, YYYY-MM (default: 5 months before `to`)' }),
    to: Type.Optional({ ...Month, description: 'Last IST month, YYYY-MM (default: this IST month)' }),
  },
  { additionalProperties: false },
);

function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + by;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The months from..to inclusive, oldest first; refused when reversed or longer than MAX_MONTHS. */
function monthRange(query: { from?: string; to?: string }, now: Date): string[] {
  const to = query.to ?? istMonth(now);
  const from = query.from ?? shiftMonth(to, -5);
  const months: string[] = [];
  for (let m = from; m <= to; m = shiftMonth(m, 1)) {
    months.push(m);
    if (months.length > MAX_MONTHS) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, `At most ${MAX_MONTHS} months at a time`);
    }
  }
  if (months.length === 0) throw new AppError(ErrorCode.VALIDATION_FAILED, '`from` must not be after `to`');
  return months;
}

const rupees = (paise: number) => (paise / 100).toFixed(2);
/** Spreadsheets run cells that start with = + - @ as formulas: such text is quoted and prefixed. */
function csvCell(value: string | number): string {
  const text = String(value);
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const adminCommissionRoutes: FastifyPluginAsyncTypebox<{ plans: PlanService }> = async (fastify, { plans }) => {
  const reports = (months: string[]) => Promise.all(months.map((m) => plans.commission(m)));

  fastify.get(
    '/v1/admin/commission/months',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'Commission per platform and GigBit’s margin for each IST month of a range (at most 24)',
        security: [{ bearer: [] }],
        querystring: RangeQuery,
        response: { 200: Type.Object({ months: Type.Array(CommissionReport) }), ...commonErrorResponses },
      },
    },
    async (request) => ({ months: await reports(monthRange(request.query, new Date())) }),
  );

  fastify.get(
    '/v1/admin/commission/export.csv',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'The same range as CSV: one row per platform and month, then each month’s totals',
        description: 'Money in paise and in rupees (two decimals). text/csv, downloaded as an attachment.',
        security: [{ bearer: [] }],
        querystring: RangeQuery,
        produces: ['text/csv'],
        response: { 200: Type.String(), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const months = monthRange(request.query, new Date());
      const lines = [
        [
          'month',
          'platform',
          'platform_name',
          'purchases',
          'workers',
          'commission_paise',
          'commission_rupees',
          'revenue_paise',
          'revenue_rupees',
          'margin_paise',
          'margin_rupees',
        ].join(','),
      ];
      for (const report of await reports(months)) {
        for (const p of report.platforms) {
          lines.push(
            [
              report.month,
              p.slug,
              p.name,
              p.purchases,
              p.workers,
              p.commissionPaise,
              rupees(p.commissionPaise),
              '',
              '',
              '',
              '',
            ]
              .map(csvCell)
              .join(','),
          );
        }
        lines.push(
          [
            report.month,
            'all',
            'All platforms',
            report.purchasesInMonth,
            '',
            report.commissionPaise,
            rupees(report.commissionPaise),
            report.revenuePaise,
            rupees(report.revenuePaise),
            report.marginPaise,
            rupees(report.marginPaise),
          ]
            .map(csvCell)
            .join(','),
        );
      }
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="gigbit-commission-${months[0]}-to-${months.at(-1)}.csv"`)
        .send(`${lines.join('\r\n')}\r\n`);
    },
  );

  fastify.get(
    '/v1/admin/commission',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'Commission owed to each platform and GigBit’s margin, for one IST month',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            month: Type.Optional(
              Type.String({ pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])$', description: 'Default: this IST month' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: CommissionReport, ...commonErrorResponses },
      },
    },
    async (request) => plans.commission(request.query.month ?? istMonth(new Date())),
  );
};

export default adminCommissionRoutes;
