import type { Db } from './knex';

export type AdminRole = 'viewer' | 'approver' | 'senior_approver' | 'superadmin';

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
}

export function createIdentityRepository(db: Db) {
  return {
    async upsertWorkerByPhone(phone: string, displayName?: string): Promise<WorkerIdentity> {
      const rows: Array<{ id: string; phone: string | null; email: string | null; display_name: string | null }> =
        await db('workers')
          .insert({ phone, display_name: displayName ?? null })
          .onConflict('phone')
          .merge({ updated_at: db.fn.now() })
          .returning(['id', 'phone', 'email', 'display_name']);
      const r = rows[0]!;
      return { id: r.id, phone: r.phone, email: r.email, displayName: r.display_name };
    },

    async upsertAdmin(username: string, role: AdminRole): Promise<AdminIdentity> {
      const rows: AdminIdentity[] = await db('admins')
        .insert({ username, role })
        .onConflict('username')
        .merge({ role })
        .returning(['id', 'username', 'role']);
      return rows[0]!;
    },

    async workerExists(id: string): Promise<boolean> {
      return (await db('workers').where({ id }).first('id')) !== undefined;
    },

    async findAdmin(id: string): Promise<AdminIdentity | undefined> {
      return db<AdminIdentity>('admins').where({ id }).first('id', 'username', 'role');
    },
  };
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>;
