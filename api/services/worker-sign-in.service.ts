import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';
import type { AuditRepository } from '../db/audit.repository';
import type { IdentityRepository, WorkerContact } from '../db/identity.repository';
import type { Db } from '../db/knex';
import type { CodeChannel, SignInCodeRepository } from '../db/sign-in-code.repository';
import { AppError, ErrorCode } from '../errors';
import type { MessageSender } from './message-delivery';
import type { ClientMeta, SessionService, SessionTokens } from './session.service';

export interface SignInCodeRules {
  ttlSeconds: number;
  maxAttempts: number;
  sendsPerHour: number;
  resendSeconds: number;
}

const HOUR_MS = 60 * 60 * 1000;

/** Email lower-cased and trimmed; Indian 10-digit numbers get +91. The schema has already checked the shape. */
export function normaliseContact(contact: WorkerContact): {
  channel: CodeChannel;
  identity: string;
  contact: WorkerContact;
} {
  if ('email' in contact) {
    const email = contact.email.trim().toLowerCase();
    return { channel: 'email', identity: `email:${email}`, contact: { email } };
  }
  const digits = contact.phone.replace(/[\s-]/g, '');
  const phone = digits.startsWith('+') ? digits : `+91${digits}`;
  return { channel: 'sms', identity: `phone:${phone}`, contact: { phone } };
}

/**
 * Worker sign-in with a one-time code (SPEC §10): 6 digits from a CSPRNG, valid 10 minutes, single use, stored
 * as a keyed hash (a database dump cannot be brute-forced offline), 5 wrong tries per code, sends limited per
 * identity here and per IP at the route. First successful sign-in registers the worker.
 */
export function createWorkerSignInService(deps: {
  db: Db;
  codes: SignInCodeRepository;
  identities: IdentityRepository;
  sessions: SessionService;
  audit: AuditRepository;
  senders: Partial<Record<CodeChannel, MessageSender>>;
  rules: SignInCodeRules;
  /** Keys the code hashes and the identity digests in the audit log. */
  dataKey: string;
  now?: () => number;
}) {
  const { db, codes, identities, sessions, audit, rules } = deps;
  const now = deps.now ?? Date.now;
  const pepper = Buffer.from(hkdfSync('sha256', deps.dataKey, 'gigbit', 'gigbit:sign-in-codes', 32));
  const codeHash = (identity: string, code: string) =>
    createHmac('sha256', pepper).update(`${identity}\n${code}`).digest('hex');
  /** A stable pseudonym for an identity in the audit log: searchable, not reversible without the key. */
  const identityDigest = (identity: string) => createHmac('sha256', pepper).update(identity).digest('hex').slice(0, 24);

  return {
    async requestCode(input: WorkerContact, meta: ClientMeta): Promise<{ expiresAt: Date; resendAfter: Date }> {
      const { channel, identity, contact } = normaliseContact(input);
      const sender = deps.senders[channel];
      if (!sender) {
        throw new AppError(
          ErrorCode.DEPENDENCY_UNAVAILABLE,
          channel === 'sms'
            ? 'Codes by SMS are not available right now: use your email address'
            : 'Email is not available right now',
        );
      }
      type SendOutcome = { refused: string } | { refused?: undefined; expiresAt: Date; resendAfter: Date };
      const outcome = await db.transaction(async (trx): Promise<SendOutcome> => {
        await codes.lockIdentity(identity, trx);
        const sent = await codes.sentSince(identity, new Date(now() - HOUR_MS), trx);
        if (sent.count >= rules.sendsPerHour) {
          return { refused: `At most ${rules.sendsPerHour} codes an hour: try again later` };
        }
        const waitUntil = sent.last ? sent.last.getTime() + rules.resendSeconds * 1000 : 0;
        if (waitUntil > now()) {
          return { refused: `Wait ${Math.ceil((waitUntil - now()) / 1000)} seconds before asking for another code` };
        }
        const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
        const expiresAt = new Date(now() + rules.ttlSeconds * 1000);
        await codes.retireLive(identity, trx);
        await codes.create({ channel, identity, codeHash: codeHash(identity, code), expiresAt, ip: meta.ip }, trx);
        await audit.record(
          {
            actorKind: 'anonymous',
            action: 'worker.code_sent',
            outcome: 'succeeded',
            ip: meta.ip,
            requestId: meta.requestId,
            details: { channel, identity: identityDigest(identity) },
          },
          trx,
        );
        // Sent inside the transaction: if delivery fails, no code exists and the send does not count.
        await sender.send({
          channel,
          to: 'email' in contact ? contact.email : contact.phone,
          subject: 'Your GigBit sign-in code',
          text:
            `${code} is your GigBit sign-in code. It expires in ${Math.round(rules.ttlSeconds / 60)} minutes.\n` +
            'Never share it: GigBit staff will never ask for it.',
        });
        return { expiresAt, resendAfter: new Date(now() + rules.resendSeconds * 1000) };
      });
      if (outcome.refused !== undefined) {
        await audit.record({
          actorKind: 'anonymous',
          action: 'worker.code_send_limited',
          outcome: 'refused',
          ip: meta.ip,
          requestId: meta.requestId,
          details: { channel, identity: identityDigest(identity) },
        });
        throw new AppError(ErrorCode.RATE_LIMITED, outcome.refused);
      }
      return { expiresAt: outcome.expiresAt, resendAfter: outcome.resendAfter };
    },

    async signIn(
      input: WorkerContact & { code: string },
      meta: ClientMeta,
    ): Promise<SessionTokens & { workerId: string }> {
      const { identity, contact } = normaliseContact(input);
      type Failure = { failure: 'worker.code_failed' | 'worker.code_locked'; attemptsLeft: number };
      type SignInOutcome = Failure | (SessionTokens & { failure?: undefined; workerId: string });
      const outcome = await db.transaction(async (trx): Promise<SignInOutcome> => {
        const live = await codes.latestLive(identity, trx);
        if (!live) return { failure: 'worker.code_failed', attemptsLeft: 0 };
        const given = Buffer.from(codeHash(identity, input.code), 'hex');
        if (!timingSafeEqual(given, Buffer.from(live.codeHash, 'hex'))) {
          const attempts = live.failedAttempts + 1;
          await codes.recordFailure(live.id, attempts >= rules.maxAttempts, trx);
          return {
            failure: attempts >= rules.maxAttempts ? 'worker.code_locked' : 'worker.code_failed',
            attemptsLeft: rules.maxAttempts - attempts,
          };
        }
        await codes.consume(live.id, trx);
        const worker = await identities.upsertWorker(contact, trx);
        const tokens = await sessions.start({ workerId: worker.id }, meta, trx);
        return { ...tokens, workerId: worker.id };
      });
      if (outcome.failure !== undefined) {
        // Recorded after the attempt's own transaction, which already counted the failure.
        await audit.record({
          actorKind: 'anonymous',
          action: outcome.failure,
          outcome: 'refused',
          ip: meta.ip,
          requestId: meta.requestId,
          details: { identity: identityDigest(identity), attemptsLeft: outcome.attemptsLeft },
        });
        if (outcome.failure === 'worker.code_locked') {
          throw new AppError(ErrorCode.TOO_MANY_ATTEMPTS, 'Too many wrong codes: ask for a new code');
        }
        throw new AppError(
          ErrorCode.WRONG_CODE,
          outcome.attemptsLeft > 0
            ? `That code is wrong: ${outcome.attemptsLeft} ${outcome.attemptsLeft === 1 ? 'try' : 'tries'} left`
            : 'There is no valid code for this number or email: ask for a new code',
          { attemptsLeft: outcome.attemptsLeft },
        );
      }
      return outcome;
    },
  };
}

export type WorkerSignInService = ReturnType<typeof createWorkerSignInService>;
