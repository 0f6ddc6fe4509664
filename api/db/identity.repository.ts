import type { Knex } from 'knex';
import type { Db } from './knex';

export type AdminRole = 'viewer' | 'approver' | 'senior_approver' | 'superadmin';

/** Ranks for "at least this role" checks: each role can do everything the ones below it can. */
export const adminRoleRank: Record<AdminRole, number> = { viewer: 0, approver: 1, senior_approver: 2, superadmin: 3 };

export interface WorkerIdentity {
  id: string;
  phone: string | null;
  email: string | null;
  displayName: string | null;
}

export interface AdminIdentity {
  id: string;
  username: string;
  role: AdminRole;
  email: string | null;
  phone: string | null;
  disabledAt: Date | null;
  createdAt: Date;
}

/** The credential columns, read only by the sign-in service. */
export interface AdminCredentials extends AdminIdentity {
  passwordHash: string | null;
  totpSecretEncrypted: string | null;
  totpLastStep: number | null;
  failedSignIns: number;
  lockedUntil: Date | null;
}

export type WorkerContact = { phone: string } | { email: string };

interface AdminRow {
  id: string;
  username: string;
  role: AdminRole;
  email: string | null;
  phone: string | null;
  disabled_at: Date | null;
  created_at: Date;
  password_hash: string | null;
  totp_secret_encrypted: string | null;
  totp_last_step: number | null;
  failed_sign_ins: number;
  locked_until: Date | null;
}

const toAdmin = (r: AdminRow): AdminIdentity => ({
  id: r.id,
  username: r.username,
  role: r.role,
  email: r.email,
  phone: r.phone,
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
});

const toWorker = (r: { id: string; phone: string | null; email: string | null; display_name: string | null }) => ({
  id: r.id,
  phone: r.phone,
  email: r.email,
  displayName: r.display_name,
});

const ADMIN_COLUMNS = ['id', 'username', 'role', 'email', 'phone', 'disabled_at', 'created_at'];

export function createIdentityRepository(db: Db) {
  return {
    /** The worker with this phone or email, registered on first sign-in. */
    async upsertWorker(contact: WorkerContact, trx: Knex | Knex.Transaction = db): Promise<WorkerIdentity> {
      const column = 'phone' in contact ? 'phone' : 'email';
      const rows: Parameters<typeof toWorker>[0][] = await trx('workers')
        .insert({ [column]: 'phone' in contact ? contact.phone : contact.email })
        .onConflict(column)
        .merge({ updated_at: trx.fn.now() })
        .returning(['id', 'phone', 'email', 'display_name']);
      return toWorker(rows[0]!);
    },

    /** Test and ledger fixtures: a worker by phone. */
    async upsertWorkerByPhone(phone: string): Promise<WorkerIdentity> {
      return this.upsertWorker({ phone });
    },

    async workerExists(id: string): Promise<boolean> {
      return (await db('workers').where({ id }).first('id')) !== undefined;
    },

    async findWorker(id: string): Promise<WorkerIdentity | undefined> {
      const row: Parameters<typeof toWorker>[0] | undefined = await db('workers')
        .where({ id })
        .first('id', 'phone', 'email', 'display_name');
      return row && toWorker(row);
    },

    async createAdmin(
      input: {
        username: string;
        role: AdminRole;
        passwordHash: string;
        totpSecretEncrypted: string;
        email?: string;
        phone?: string;
        createdBy?: string;
      },
      trx: Knex | Knex.Transaction = db,
    ): Promise<AdminIdentity | undefined> {
      const rows: AdminRow[] = await trx('admins')
        .insert({
          username: input.username,
          role: input.role,
          password_hash: input.passwordHash,
          totp_secret_encrypted: input.totpSecretEncrypted,
          email: input.email ?? null,
          phone: input.phone ?? null,
          created_by: input.createdBy ?? null,
        })
        .onConflict()
        .ignore()
        .returning(ADMIN_COLUMNS);
      return rows[0] && toAdmin(rows[0]);
    },

    async findAdmin(id: string, trx: Knex | Knex.Transaction = db): Promise<AdminIdentity | undefined> {
      const row: AdminRow | undefined = await trx('admins').where({ id }).first(ADMIN_COLUMNS);
      return row && toAdmin(row);
    },

    async listAdmins(): Promise<AdminIdentity[]> {
      const rows: AdminRow[] = await db('admins').orderBy('username').select(ADMIN_COLUMNS);
      return rows.map(toAdmin);
    },

    async findAdminCredentials(
      by: { username: string } | { id: string },
      trx: Knex | Knex.Transaction = db,
    ): Promise<AdminCredentials | undefined> {
      const query = trx<AdminRow>('admins').where(by);
      // Inside a transaction the row is locked, so attempt counting is exact.
      const row: AdminRow | undefined = await (trx === db ? query : query.forUpdate()).first();
      return (
        row && {
          ...toAdmin(row),
          passwordHash: row.password_hash,
          totpSecretEncrypted: row.totp_secret_encrypted,
          totpLastStep: row.totp_last_step,
          failedSignIns: row.failed_sign_ins,
          lockedUntil: row.locked_until,
        }
      );
    },

    async recordAdminFailure(id: string, lockUntil: Date | null, trx: Knex | Knex.Transaction = db): Promise<void> {
      await trx('admins')
        .where({ id })
        .update(
          lockUntil
            ? { failed_sign_ins: 0, locked_until: lockUntil }
            : { failed_sign_ins: trx.raw('failed_sign_ins + 1') },
        );
    },

    async recordAdminSuccess(id: string, totpStep: number, trx: Knex | Knex.Transaction = db): Promise<void> {
      await trx('admins').where({ id }).update({ failed_sign_ins: 0, locked_until: null, totp_last_step: totpStep });
    },

    async updateAdmin(
      id: string,
      patch: { role?: AdminRole; disabled?: boolean; passwordHash?: string },
      trx: Knex | Knex.Transaction = db,
    ): Promise<AdminIdentity | undefined> {
      const rows: AdminRow[] = await trx('admins')
        .where({ id })
        .update({
          ...(patch.role ? { role: patch.role } : {}),
          ...(patch.disabled === undefined ? {} : { disabled_at: patch.disabled ? trx.fn.now() : null }),
          ...(patch.passwordHash ? { password_hash: patch.passwordHash } : {}),
        })
        .returning(ADMIN_COLUMNS);
      return rows[0] && toAdmin(rows[0]);
    },

    /**
     * True when the admin is also this worker (same email or phone): they may not decide their own requests.
     * Shared by every approval (SPEC §9's "never the requester").
     */
    async adminIsWorker(adminId: string, workerId: string): Promise<boolean> {
      const row: { id: string } | undefined = await db('admins as a')
        .join('workers as w', (join) => {
          void join.on('a.email', '=', 'w.email').orOn('a.phone', '=', 'w.phone');
        })
        .where({ 'a.id': adminId, 'w.id': workerId })
        .first('a.id');
      return row !== undefined;
    },

    async countActiveSuperadmins(trx: Knex | Knex.Transaction = db): Promise<number> {
      const row: { count: number } = await trx('admins')
        .where({ role: 'superadmin' })
        .whereNull('disabled_at')
        .first(trx.raw('count(*)::int AS count'));
      return row.count;
    },

    /** Serialises changes to the admin roster so the last active superadmin cannot be removed by a race. */
    async lockRoster(trx: Knex.Transaction): Promise<void> {
      await trx.raw(`SELECT pg_advisory_xact_lock(hashtextextended('admin-roster', 42))`);
    },
  };
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>;
