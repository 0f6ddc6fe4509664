import { createHash, randomBytes } from 'node:crypto';
import type { AuditRepository } from '../db/audit.repository';
import type { AdminIdentity, AdminRole, IdentityRepository } from '../db/identity.repository';
import type { Db } from '../db/knex';
import type { Config } from '../config';
import type { SessionRepository } from '../db/session.repository';
import { AppError, ErrorCode } from '../errors';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../security/password-hash';
import { createSecretBox, type SecretBox } from '../security/secret-box';
import { createTotp, type Totp } from '../security/totp';
import type { Principal } from './access-token.service';
import type { ClientMeta, SessionService, SessionTokens } from './session.service';

export interface AdminAuthRules {
  passwordLog2Cost: number;
  maxFailedSignIns: number;
  lockoutMs: number;
  challengeTtlSeconds: number;
}

export interface NewAdmin {
  username: string;
  role: AdminRole;
  password: string;
  email?: string;
  phone?: string;
}

export interface SecondFactorEnrolment {
  /** Base32 seed for manual entry in an authenticator app; shown once, never again. */
  totpSecret: string;
  otpauthUri: string;
}

/** The configured parts of admin sign-in, shared by the API and the ops CLI. */
export function adminAuthSettings(
  config: Pick<
    Config,
    'DATA_ENCRYPTION_KEY' | 'PASSWORD_HASH_LOG2_COST' | 'ADMIN_MAX_FAILED_SIGN_INS' | 'ADMIN_LOCKOUT_MS'
  >,
): { totp: Totp; totpBox: SecretBox; rules: AdminAuthRules } {
  return {
    totp: createTotp({ issuer: 'GigBit' }),
    totpBox: createSecretBox(config.DATA_ENCRYPTION_KEY, 'admin-totp'),
    rules: {
      passwordLog2Cost: config.PASSWORD_HASH_LOG2_COST,
      maxFailedSignIns: config.ADMIN_MAX_FAILED_SIGN_INS,
      lockoutMs: config.ADMIN_LOCKOUT_MS,
      challengeTtlSeconds: 5 * 60,
    },
  };
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const CHALLENGE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The password rule, checked wherever a password is set. Length beats composition rules (NIST SP 800-63B). */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password.length < 12) return 'Passwords need at least 12 characters';
  if (password.length > 128) return 'Passwords may have at most 128 characters';
  if (password.toLowerCase().includes(username.toLowerCase())) return 'The password must not contain the username';
  return undefined;
}

/**
 * Admin identity (SPEC §10): username + password (scrypt) and then a TOTP second factor. Five failures of either
 * step lock the account for a while; a TOTP code is accepted once. Superadmins manage the roster, which always
 * keeps at least one active superadmin.
 */
export function createAdminAuthService(deps: {
  db: Db;
  identities: IdentityRepository;
  sessionRepository: SessionRepository;
  sessions: SessionService;
  audit: AuditRepository;
  totp: Totp;
  totpBox: SecretBox;
  rules: AdminAuthRules;
  now?: () => number;
}) {
  const { db, identities, sessions, audit, totp, totpBox, rules } = deps;
  const now = deps.now ?? Date.now;

  const invalid = () => new AppError(ErrorCode.INVALID_CREDENTIALS, 'Wrong username or password');
  const lockedError = (until: Date) =>
    new AppError(
      ErrorCode.ACCOUNT_LOCKED,
      `Too many failed sign-ins: this account is locked until ${until.toISOString()}`,
      { lockedUntil: until.toISOString() },
    );

  /** Counts a failure and locks the account at the limit; returns the lock time when it locked. */
  async function fail(admin: { id: string; failedSignIns: number }, trx: Db): Promise<Date | undefined> {
    const lockUntil = admin.failedSignIns + 1 >= rules.maxFailedSignIns ? new Date(now() + rules.lockoutMs) : undefined;
    await identities.recordAdminFailure(admin.id, lockUntil ?? null, trx);
    return lockUntil;
  }

  async function enrol(username: string): Promise<{ sealed: string; enrolment: SecondFactorEnrolment }> {
    const secret = totp.generateSecret();
    return {
      sealed: totpBox.seal(secret),
      enrolment: { totpSecret: secret, otpauthUri: totp.provisioningUri(username, secret) },
    };
  }

  return {
    /** Step 1: the password. Answers with a short-lived challenge for the second factor. */
    async signIn(
      input: { username: string; password: string },
      meta: ClientMeta,
    ): Promise<{ challengeToken: string; expiresAt: Date }> {
      const admin = await identities.findAdminCredentials({ username: input.username });
      const refuse = async (reason: string, error: AppError = invalid()) => {
        await audit.record({
          actorKind: admin ? 'admin' : 'anonymous',
          actorId: admin?.id ?? null,
          action: 'admin.sign_in_failed',
          outcome: 'refused',
          ip: meta.ip,
          requestId: meta.requestId,
          details: { username: input.username, reason },
        });
        return error;
      };
      if (!admin?.passwordHash || admin.disabledAt) {
        await burnPasswordCheck(rules.passwordLog2Cost);
        throw await refuse(admin ? 'disabled' : 'unknown_username');
      }
      if (admin.lockedUntil && admin.lockedUntil.getTime() > now()) {
        throw await refuse('locked', lockedError(admin.lockedUntil));
      }
      if (!(await verifyPassword(input.password, admin.passwordHash))) {
        const lockedUntil = await fail(admin, db);
        if (lockedUntil) {
          await audit.record({
            actorKind: 'admin',
            actorId: admin.id,
            action: 'admin.locked_out',
            outcome: 'refused',
            ip: meta.ip,
            requestId: meta.requestId,
            details: { until: lockedUntil.toISOString() },
          });
        }
        throw await refuse('wrong_password');
      }
      const challengeToken = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now() + rules.challengeTtlSeconds * 1000);
      await db('admin_sign_in_challenges').insert({
        admin_id: admin.id,
        token_hash: digest(challengeToken),
        expires_at: expiresAt,
      });
      return { challengeToken, expiresAt };
    },

    /** Step 2: the authenticator code. Starts the session. */
    async verifySecondFactor(
      input: { challengeToken: string; code: string },
      meta: ClientMeta,
    ): Promise<SessionTokens & { admin: AdminIdentity }> {
      if (!CHALLENGE_TOKEN.test(input.challengeToken)) {
        throw new AppError(ErrorCode.UNAUTHENTICATED, 'This sign-in has expired: enter your password again');
      }
      const outcome = await db.transaction(async (trx) => {
        const challenge: { id: string; admin_id: string; failed_attempts: number } | undefined = await trx(
          'admin_sign_in_challenges',
        )
          .where({ token_hash: digest(input.challengeToken) })
          .whereNull('consumed_at')
          .where('expires_at', '>', new Date(now()))
          .forUpdate()
          .first('id', 'admin_id', 'failed_attempts');
        if (!challenge) return { error: 'expired' } as const;
        const admin = await identities.findAdminCredentials({ id: challenge.admin_id }, trx);
        if (!admin?.totpSecretEncrypted || admin.disabledAt) return { error: 'expired' } as const;
        if (admin.lockedUntil && admin.lockedUntil.getTime() > now()) {
          return { error: 'locked', adminId: admin.id, until: admin.lockedUntil } as const;
        }
        const step = totp.acceptedStep(input.code, totpBox.open(admin.totpSecretEncrypted));
        if (step === undefined || (admin.totpLastStep !== null && step <= admin.totpLastStep)) {
          const burn = challenge.failed_attempts + 1 >= rules.maxFailedSignIns;
          await trx('admin_sign_in_challenges')
            .where({ id: challenge.id })
            .update({ failed_attempts: challenge.failed_attempts + 1, ...(burn ? { consumed_at: trx.fn.now() } : {}) });
          const lockedUntil = await fail(admin, trx);
          return { error: 'wrong_code', adminId: admin.id, reused: step !== undefined, lockedUntil } as const;
        }
        await trx('admin_sign_in_challenges').where({ id: challenge.id }).update({ consumed_at: trx.fn.now() });
        await identities.recordAdminSuccess(admin.id, step, trx);
        const tokens = await sessions.start({ adminId: admin.id }, meta, trx);
        const {
          passwordHash: _p,
          totpSecretEncrypted: _t,
          totpLastStep: _s,
          failedSignIns: _f,
          lockedUntil: _l,
          ...identity
        } = admin;
        return { tokens, admin: identity };
      });
      if ('error' in outcome) {
        if (outcome.error === 'expired') {
          throw new AppError(ErrorCode.UNAUTHENTICATED, 'This sign-in has expired: enter your password again');
        }
        await audit.record({
          actorKind: 'admin',
          actorId: outcome.adminId,
          action: outcome.error === 'locked' ? 'admin.sign_in_failed' : 'admin.second_factor_failed',
          outcome: 'refused',
          ip: meta.ip,
          requestId: meta.requestId,
          details: outcome.error === 'locked' ? { reason: 'locked' } : { reused: outcome.reused },
        });
        if (outcome.error === 'locked') throw lockedError(outcome.until);
        if (outcome.lockedUntil) {
          await audit.record({
            actorKind: 'admin',
            actorId: outcome.adminId,
            action: 'admin.locked_out',
            outcome: 'refused',
            ip: meta.ip,
            requestId: meta.requestId,
            details: { until: outcome.lockedUntil.toISOString() },
          });
          throw lockedError(outcome.lockedUntil);
        }
        throw new AppError(
          ErrorCode.WRONG_CODE,
          outcome.reused
            ? 'That authenticator code was already used: wait for the next one'
            : 'That authenticator code is wrong',
        );
      }
      return { ...outcome.tokens, admin: outcome.admin };
    },

    /**
     * Creates an admin with a fresh TOTP seed. `createdBy` is absent only for the CLI's first superadmin.
     * The enrolment is returned once, to be handed to the new admin.
     */
    async createAdmin(
      input: NewAdmin,
      actor: { adminId: string } | { cli: true },
      meta: ClientMeta = {},
    ): Promise<{ admin: AdminIdentity; enrolment: SecondFactorEnrolment }> {
      const problem = passwordProblem(input.password, input.username);
      if (problem) throw new AppError(ErrorCode.VALIDATION_FAILED, problem, { field: 'password' });
      const passwordHash = await hashPassword(input.password, rules.passwordLog2Cost);
      const { sealed, enrolment } = await enrol(input.username);
      const admin = await db.transaction(async (trx) => {
        const created = await identities.createAdmin(
          {
            ...input,
            passwordHash,
            totpSecretEncrypted: sealed,
            createdBy: 'adminId' in actor ? actor.adminId : undefined,
          },
          trx,
        );
        if (!created) return undefined;
        await audit.record(
          {
            actorKind: 'adminId' in actor ? 'admin' : 'system',
            actorId: 'adminId' in actor ? actor.adminId : null,
            action: 'admin.created',
            outcome: 'succeeded',
            targetKind: 'admin',
            targetId: created.id,
            ip: meta.ip,
            requestId: meta.requestId,
            details: { username: created.username, role: created.role, via: 'adminId' in actor ? 'api' : 'cli' },
          },
          trx,
        );
        return created;
      });
      if (!admin) {
        throw new AppError(ErrorCode.USERNAME_TAKEN, 'That username, email or phone already belongs to an admin');
      }
      return { admin, enrolment };
    },

    /** Role changes and (dis)abling, by a superadmin; never on oneself, never leaving no active superadmin. */
    async updateAdmin(
      actor: Extract<Principal, { kind: 'admin' }>,
      adminId: string,
      patch: { role?: AdminRole; disabled?: boolean },
      meta: ClientMeta,
    ): Promise<AdminIdentity> {
      if (adminId === actor.adminId) {
        throw new AppError(
          ErrorCode.FORBIDDEN,
          'You cannot change your own role or disable yourself: ask another superadmin',
        );
      }
      return db.transaction(async (trx) => {
        await identities.lockRoster(trx);
        const before = await identities.findAdmin(adminId, trx);
        if (!before) throw AppError.notFound('Admin');
        const after = await identities.updateAdmin(adminId, patch, trx);
        if (!after) throw AppError.notFound('Admin');
        if ((await identities.countActiveSuperadmins(trx)) === 0) {
          throw new AppError(ErrorCode.LAST_SUPERADMIN, 'At least one active superadmin must remain');
        }
        if (patch.disabled) await deps.sessionRepository.revokeAll({ adminId }, 'admin_disabled', trx);
        const changes: Array<[string, Record<string, unknown>]> = [];
        if (before.role !== after.role) changes.push(['admin.role_changed', { from: before.role, to: after.role }]);
        if (Boolean(before.disabledAt) !== Boolean(after.disabledAt)) {
          changes.push([after.disabledAt ? 'admin.disabled' : 'admin.enabled', {}]);
        }
        for (const [action, details] of changes) {
          await audit.record(
            {
              actorKind: 'admin',
              actorId: actor.adminId,
              action,
              outcome: 'succeeded',
              targetKind: 'admin',
              targetId: adminId,
              ip: meta.ip,
              requestId: meta.requestId,
              details,
            },
            trx,
          );
        }
        return after;
      });
    },

    async changePassword(
      actor: Extract<Principal, { kind: 'admin' }>,
      input: { currentPassword: string; newPassword: string },
      meta: ClientMeta,
    ): Promise<void> {
      const admin = await identities.findAdminCredentials({ id: actor.adminId });
      if (!admin?.passwordHash || !(await verifyPassword(input.currentPassword, admin.passwordHash))) {
        throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'The current password is wrong');
      }
      const problem = passwordProblem(input.newPassword, admin.username);
      if (problem) throw new AppError(ErrorCode.VALIDATION_FAILED, problem, { field: 'newPassword' });
      const passwordHash = await hashPassword(input.newPassword, rules.passwordLog2Cost);
      await db.transaction(async (trx) => {
        await identities.updateAdmin(admin.id, { passwordHash }, trx);
        await audit.record(
          {
            actorKind: 'admin',
            actorId: admin.id,
            action: 'admin.password_changed',
            outcome: 'succeeded',
            targetKind: 'admin',
            targetId: admin.id,
            ip: meta.ip,
            requestId: meta.requestId,
          },
          trx,
        );
      });
    },
  };
}

export type AdminAuthService = ReturnType<typeof createAdminAuthService>;
