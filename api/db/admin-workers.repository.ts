import type { Db } from './knex';

export interface WorkerListRow {
  id: string;
  phone: string | null;
  email: string | null;
  displayName: string | null;
  createdAt: Date;
  erasedAt: Date | null;
  balancePaise: number;
  heldPaise: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** LIKE treats % and _ as wildcards; a search for "a_b" means those characters. */
const likeLiteral = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Read-only worker lookups for the admin portal (search and one worker's whole picture). */
export function createAdminWorkersRepository(db: Db) {
  const listColumns = [
    'w.id',
    'w.phone',
    'w.email',
    'w.display_name',
    'w.created_at',
    'w.erased_at',
    db.raw('coalesce(a.balance_paise, 0)::bigint AS balance_paise'),
    db.raw('coalesce(a.held_paise, 0)::bigint AS held_paise'),
  ];
  type ListRow = {
    id: string;
    phone: string | null;
    email: string | null;
    display_name: string | null;
    created_at: Date;
    erased_at: Date | null;
    balance_paise: number;
    held_paise: number;
  };
  const toListRow = (r: ListRow): WorkerListRow => ({
    id: r.id,
    phone: r.phone,
    email: r.email,
    displayName: r.display_name,
    createdAt: r.created_at,
    erasedAt: r.erased_at,
    balancePaise: Number(r.balance_paise),
    heldPaise: Number(r.held_paise),
  });
  const base = () =>
    db('workers as w').leftJoin('ledger_accounts as a', function () {
      this.on('a.worker_id', '=', 'w.id').andOnVal('a.kind', '=', 'wallet');
    });

  return {
    /**
     * Newest first. `q` matches an exact worker id, or part of the phone number (digits only, so "98765 43210"
     * and "+91 98765…" both work), email or name.
     */
    async search(input: { q?: string; afterId?: string; limit: number }): Promise<WorkerListRow[]> {
      const query = base().select<ListRow[]>(listColumns);
      const q = input.q?.trim();
      if (q) {
        if (UUID.test(q)) {
          void query.where('w.id', q.toLowerCase());
        } else {
          const digits = q.replace(/[^0-9]/g, '');
          void query.where((w) => {
            void w.whereRaw(`w.email::text ILIKE ? ESCAPE '\\'`, [likeLiteral(q)]);
            void w.orWhereRaw(`w.display_name ILIKE ? ESCAPE '\\'`, [likeLiteral(q)]);
            if (digits.length >= 3) void w.orWhere('w.phone', 'like', likeLiteral(digits));
          });
        }
      }
      if (input.afterId) {
        void query.whereRaw('(w.created_at, w.id) < (SELECT created_at, id FROM workers WHERE id = ?)', [
          input.afterId,
        ]);
      }
      const rows = await query
        .orderBy([
          { column: 'w.created_at', order: 'desc' },
          { column: 'w.id', order: 'desc' },
        ])
        .limit(input.limit);
      return rows.map(toListRow);
    },

    async find(id: string): Promise<WorkerListRow | null> {
      const row = await base().where('w.id', id).first<ListRow | undefined>(listColumns);
      return row ? toListRow(row) : null;
    },

    async insurance(workerId: string) {
      const row = await db('insurance_coverages')
        .where({ worker_id: workerId })
        .first<{ status: string; opted_in_at: Date | null } | undefined>('status', 'opted_in_at');
      return row ? { status: row.status, optedInAt: row.opted_in_at } : null;
    },

    plans(workerId: string) {
      return db('plan_purchases as pp')
        .join('plans as p', 'p.code', 'pp.plan_code')
        .where('pp.worker_id', workerId)
        .orderBy('pp.purchased_at', 'desc')
        .limit(50)
        .select<
          Array<{
            id: string;
            plan_code: string;
            name: string;
            price_paise: number;
            slots: number;
            purchased_at: Date;
            expires_at: Date;
          }>
        >('pp.id', 'pp.plan_code', 'p.name', 'pp.price_paise', 'pp.slots', 'pp.purchased_at', 'pp.expires_at');
    },

    platforms(workerId: string) {
      return db('platform_connections as c')
        .join('platforms as p', 'p.id', 'c.platform_id')
        .where('c.worker_id', workerId)
        .orderBy('c.connected_at', 'desc')
        .select<
          Array<{
            id: string;
            slug: string;
            name: string;
            status: string;
            connected_at: Date;
            disconnected_at: Date | null;
            last_synced_at: Date | null;
            earned_paise: number;
          }>
        >(
          'c.id',
          'p.slug',
          'p.name',
          'c.status',
          'c.connected_at',
          'c.disconnected_at',
          'c.last_synced_at',
          db.raw(
            '(SELECT coalesce(sum(t.amount_paise), 0) FROM platform_trips t WHERE t.connection_id = c.id)::bigint AS earned_paise',
          ),
        );
    },

    loans(workerId: string) {
      return db('loans as l')
        .where('l.worker_id', workerId)
        .orderBy('l.created_at', 'desc')
        .select<
          Array<{
            id: string;
            amount_paise: number;
            status: string;
            tenure_months: number;
            emi_paise: number;
            annual_rate_bps: number;
            created_at: Date;
            outstanding_paise: number;
            overdue: number;
          }>
        >(
          'l.id',
          'l.amount_paise',
          'l.status',
          'l.tenure_months',
          'l.emi_paise',
          'l.annual_rate_bps',
          'l.created_at',
          db.raw(
            `(SELECT coalesce(sum(i.principal_paise), 0) FROM loan_instalments i
               WHERE i.loan_id = l.id AND i.status IN ('scheduled', 'overdue'))::bigint AS outstanding_paise`,
          ),
          db.raw(
            `(SELECT count(*) FROM loan_instalments i WHERE i.loan_id = l.id AND i.status = 'overdue')::int AS overdue`,
          ),
        );
    },

    claims(workerId: string) {
      return db('insurance_claims').where({ worker_id: workerId }).orderBy('created_at', 'desc').select<
        Array<{
          id: string;
          type: string;
          incident_on: string | Date;
          description: string;
          payout_paise: number;
          status: string;
          created_at: Date;
        }>
      >(db.raw(`id, type, to_char(incident_on, 'YYYY-MM-DD') AS incident_on, description, payout_paise, status, created_at`));
    },

    withdrawals(workerId: string, limit: number) {
      return db('withdrawals')
        .where({ worker_id: workerId })
        .orderBy('created_at', 'desc')
        .limit(limit)
        .select<Array<{ id: string; amount_paise: number; status: string; created_at: Date; paid_at: Date | null }>>(
          'id',
          'amount_paise',
          'status',
          'created_at',
          'paid_at',
        );
    },
  };
}

export type AdminWorkersRepository = ReturnType<typeof createAdminWorkersRepository>;
