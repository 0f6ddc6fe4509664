import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { assertApiConfig, type Config } from './config';
import { ErrorCode } from './errors';
import { createAuditRepository } from './db/audit.repository';
import { createIdentityRepository } from './db/identity.repository';
import { createSessionRepository } from './db/session.repository';
import { createSignInCodeRepository } from './db/sign-in-code.repository';
import { createLedgerRepository } from './db/ledger.repository';
import { createPlanRepository } from './db/plan.repository';
import { createPlatformRepository } from './db/platform.repository';
import type { Db } from './db/knex';
import { createOutboxRepository } from './db/outbox.repository';
import { createReconciliationRepository } from './db/reconciliation.repository';
import { createWithdrawalRepository } from './db/withdrawal.repository';
import { createRequestRepository } from './db/request.repository';
import { createApprovalService } from './services/approval.service';
import { createRequestRecovery } from './services/request-recovery';
import { createDocumentService } from './services/document.service';
import documentRoutes from './routes/documents';
import deviceRoutes from './routes/devices';
import { createDeviceTokenRepository } from './db/device-token.repository';
import { createPushQueueRepository } from './db/push-queue.repository';
import { createDeviceService } from './services/device.service';
import { createPushSender } from './services/push.service';
import { createPushRelay } from './realtime/push-relay';
import { createWebPushSender } from './services/web-push.service';
import { createWebPushSubscriptionRepository } from './db/web-push-subscription.repository';
import webPushRoutes from './routes/web-push';
import historyRoutes from './routes/history';
import adminRequestRoutes from './routes/admin/requests';
import eventRoutes from './routes/events';
import accountRoutes from './routes/account';
import { createAccountDeletionRepository } from './db/account-deletion.repository';
import { createAccountDeletionService } from './services/account-deletion.service';
import { toAdminDeletionView } from './schemas/account-deletion';
import loanRoutes from './routes/loans';
import { createLoanRepository } from './db/loan.repository';
import { createLoanService } from './services/loan.service';
import ruleRoutes from './routes/rules';
import { productRules } from './services/product-rules.service';
import { toLoanView } from './schemas/loan';
import { toAdminWithdrawalView } from './schemas/withdrawal';
import insuranceRoutes from './routes/insurance';
import { createInsuranceRepository } from './db/insurance.repository';
import { createInsuranceService } from './services/insurance.service';
import notificationRoutes from './routes/notifications';
import { createNotificationRepository } from './db/notification.repository';
import { createNotificationService } from './services/notification.service';
import authPlugin from './plugins/auth';
import errorHandler, { sendError } from './plugins/error-handler';
import openapi from './plugins/openapi';
import fronts from './plugins/fronts';
import metrics from './plugins/metrics';
import { bindRequestContext } from './temporal/correlation';
import security from './plugins/security';
import { installValidators } from './plugins/validation';
import { createOutboxRelay } from './realtime/outbox-relay';
import { createSocketServer } from './realtime/socket-server';
import adminCommissionRoutes from './routes/admin/commission';
import adminOverviewRoutes from './routes/admin/overview';
import adminWorkerRoutes from './routes/admin/workers';
import { createAdminOverviewRepository } from './db/admin-overview.repository';
import { createAdminWorkersRepository } from './db/admin-workers.repository';
import { createAdminOverviewService } from './services/admin-overview.service';
import { createAdminWorkersService } from './services/admin-workers.service';
import adminEarningsSyncRoutes from './routes/admin/earnings-sync';
import adminLedgerRoutes from './routes/admin/ledger';
import adminPlatformRoutes from './routes/admin/platforms';
import adminWithdrawalRoutes from './routes/admin/withdrawals';
import adminRosterRoutes from './routes/admin/admins';
import adminAuditRoutes from './routes/admin/audit';
import adminAuthRoutes from './routes/admin/auth';
import authRoutes from './routes/auth';
import devMailboxRoutes from './routes/dev-mailbox';
import healthRoutes from './routes/health';
import planRoutes from './routes/plans';
import platformRoutes from './routes/platforms';
import payoutWebhookRoutes from './routes/webhooks/payout-rail';
import withdrawalRoutes from './routes/withdrawals';
import { createAccessTokenService } from './services/access-token.service';
import { adminAuthSettings, createAdminAuthService } from './services/admin-auth.service';
import { createDevMailbox, createSmtpSender, type MessageSender } from './services/message-delivery';
import { createSessionService } from './services/session.service';
import { createWorkerSignInService } from './services/worker-sign-in.service';
import { createLedgerService } from './services/ledger.service';
import { createPlanService } from './services/plan.service';
import { createPlatformAdminService } from './services/platform-admin.service';
import { createPlatformService } from './services/platform.service';
import { createWithdrawalService } from './services/withdrawal.service';

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  redis?: Redis;
  /** Run the outbox relay, push relay and recovery sweep (default). Tests turn them off on one of two instances. */
  background?: boolean;
}

const READINESS_DEADLINE_MS = 1500;
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Fastify construction options shared by the server process and the tests. */
export function fastifyOptions(config: Pick<Config, 'LOG_LEVEL' | 'TRUST_PROXY'>): FastifyServerOptions {
  return {
    logger: { level: config.LOG_LEVEL, redact: ['req.headers.authorization'] },
    // Keep a caller's correlation id when it is well-formed; otherwise mint one.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 64 * 1024,
    // Malformed URLs and over-long path parameters are refused by the router, before any route or error handler.
    frameworkErrors: (error, request, reply) => {
      void sendError(reply, request, 400, {
        code: ErrorCode.VALIDATION_FAILED,
        message: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The URL is malformed',
      });
    },
    // request.ip keys the rate limits and lands in the audit log: behind a load balancer it must be the client's
    // address from X-Forwarded-For. Only named proxies are believed (a hop count cannot check the peer, and this
    // Fastify refuses it), and the address is read from the proxy's end, so a forged prefix is never reached unless the
    // client is itself in a trusted range: the balancer should replace the header (deploy/nginx.conf does).
    trustProxy: config.TRUST_PROXY ?? false,
  };
}

/**
 * The whole API as one plugin: the composition root. Infrastructure comes in as deps so the server process and
 * the tests assemble exactly the same app.
 */
export default fp(
  async function gigbitApp(fastify: FastifyInstance, deps: AppDeps) {
    const { config, db, temporal, redis } = deps;
    assertApiConfig(config);

    const tokens = createAccessTokenService({
      secret: config.ACCESS_TOKEN_SECRET,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    });
    const identities = createIdentityRepository(db);
    const audit = createAuditRepository(db);
    const sessionRepository = createSessionRepository(db);
    const sessions = createSessionService({
      db,
      sessions: sessionRepository,
      audit,
      tokens,
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    });
    // Codes go by SMTP when configured; in development everything else lands in the dev mailbox. Production has
    // no SMS gateway yet, so phone sign-in there answers 503 and points to email.
    const devMailbox = config.isDevelopment ? createDevMailbox() : undefined;
    const smtp = config.SMTP_URL ? createSmtpSender({ url: config.SMTP_URL, from: config.MAIL_FROM }) : undefined;
    const senders: { email?: MessageSender; sms?: MessageSender } = { email: smtp ?? devMailbox, sms: devMailbox };
    const workerSignIn = createWorkerSignInService({
      db,
      codes: createSignInCodeRepository(db),
      identities,
      sessions,
      audit,
      senders,
      rules: {
        ttlSeconds: config.SIGN_IN_CODE_TTL_SECONDS,
        maxAttempts: config.SIGN_IN_CODE_MAX_ATTEMPTS,
        sendsPerHour: config.SIGN_IN_CODE_SENDS_PER_HOUR,
        resendSeconds: config.SIGN_IN_CODE_RESEND_SECONDS,
      },
      dataKey: config.DATA_ENCRYPTION_KEY,
    });
    const adminAuth = createAdminAuthService({
      db,
      identities,
      sessionRepository,
      sessions,
      audit,
      ...adminAuthSettings(config),
    });
    const outbox = createOutboxRepository(db);
    const ledger = createLedgerService({ db, ledger: createLedgerRepository(db) });
    const planRepository = createPlanRepository(db);
    const plans = createPlanService({ db, plans: planRepository, ledger });
    const platformRepository = createPlatformRepository(db);
    const platforms = createPlatformService({
      db,
      platforms: platformRepository,
      plans: planRepository,
      temporal,
      config,
    });
    const platformAdmin = createPlatformAdminService({ platforms: platformRepository, config });
    const documents = createDocumentService({ db, config });
    const requests = createRequestRepository(db);
    const approvals = createApprovalService({ requests, identities, temporal, config });
    const withdrawals = createWithdrawalService({
      db,
      withdrawals: createWithdrawalRepository(db),
      outbox,
      plans: planRepository,
      earnings: platformRepository,
      ledger,
      requests,
      approvals,
      temporal,
      config,
    });

    const loans = createLoanService({
      db,
      loans: createLoanRepository(db),
      plans: planRepository,
      requests,
      outbox,
      documents,
      temporal,
      config,
    });

    const accountDeletions = createAccountDeletionService({
      db,
      deletions: createAccountDeletionRepository(db),
      outbox,
      plans: planRepository,
      ledger,
      requests,
      approvals,
      temporal,
      config,
    });

    const insurance = createInsuranceService({
      db,
      insurance: createInsuranceRepository(db),
      plans: planRepository,
      ledger,
      outbox,
      requests,
      approvals,
      documents,
      temporal,
      config,
    });

    installValidators(fastify);
    fastify.addHook('onRequest', async (request, reply) => {
      void reply.header('x-request-id', request.id);
    });
    fastify.addHook('onRequest', bindRequestContext);
    await fastify.register(errorHandler);
    await fastify.register(authPlugin, { sessions, audit });
    await fastify.register(security, {
      corsOrigins: config.corsOrigins,
      redis,
      redisKeyPrefix: config.REDIS_KEY_PREFIX,
      signInPerIpPer15Min: config.RATE_LIMIT_SIGN_IN_PER_IP,
      moneyPerMinute: config.RATE_LIMIT_MONEY_PER_MINUTE,
      uploadsPerMinute: config.RATE_LIMIT_UPLOADS_PER_MINUTE,
    });
    await fastify.register(openapi);
    // Before the routes, so its latency hook times them all. Sockets come later; the gauge reads them at scrape time.
    let connectedSockets = () => 0;
    if (config.METRICS_ENABLED) {
      await fastify.register(metrics, {
        db,
        token: config.METRICS_TOKEN,
        requireToken: config.isProduction,
        connectedSockets: () => connectedSockets(),
      });
    }

    const checks: Record<string, () => Promise<unknown>> = {
      postgres: () => db.raw('select 1'),
      // A deadline, not only the probe's timeout: the SDK retries UNAVAILABLE and must not outlive the probe.
      temporal: () =>
        temporal.connection.withDeadline(Date.now() + READINESS_DEADLINE_MS, () =>
          temporal.workflowService.getSystemInfo({}),
        ),
    };
    if (redis) checks.redis = () => redis.ping();
    await fastify.register(fronts, { frontsDir: config.FRONTS_DIR });
    await fastify.register(healthRoutes, { checks });
    await fastify.register(eventRoutes);
    if (devMailbox) await fastify.register(devMailboxRoutes, { mailbox: devMailbox });
    await fastify.register(authRoutes, { signIn: workerSignIn, sessions });
    await fastify.register(adminAuthRoutes, { adminAuth, identities });
    await fastify.register(adminRosterRoutes, { adminAuth, identities });
    await fastify.register(adminAuditRoutes, { audit });
    await fastify.register(planRoutes, { plans });
    await fastify.register(platformRoutes, { platforms, logos: platformAdmin });
    await fastify.register(withdrawalRoutes, { withdrawals });
    await fastify.register(insuranceRoutes, { insurance });
    await fastify.register(accountRoutes, { deletions: accountDeletions });
    await fastify.register(documentRoutes, { documents, maxBytes: config.DOCUMENT_MAX_BYTES });
    await fastify.register(deviceRoutes, {
      devices: createDeviceService({ devices: createDeviceTokenRepository(db) }),
    });
    await fastify.register(loanRoutes, { loans, approvals });
    await fastify.register(ruleRoutes, { rules: productRules({ config, loanRules: loans.rules }) });
    const webPushSubscriptions = createWebPushSubscriptionRepository(db);
    const pushEndpointPolicy = { serviceHosts: config.webPushServiceHosts, allowHttp: config.isDevelopment };
    const webPushSender = createWebPushSender(config, pushEndpointPolicy);
    await fastify.register(webPushRoutes, {
      subscriptions: webPushSubscriptions,
      publicKey: webPushSender?.publicKey,
      endpointPolicy: pushEndpointPolicy,
    });
    await fastify.register(historyRoutes, { db });
    await fastify.register(notificationRoutes, {
      notifications: createNotificationService({ notifications: createNotificationRepository(db) }),
    });
    await fastify.register(payoutWebhookRoutes, { temporal, secret: config.PAYOUT_RAIL_WEBHOOK_SECRET });
    await fastify.register(adminWithdrawalRoutes, { withdrawals, workflowUrl: config.temporalWorkflowUrl });
    await fastify.register(adminRequestRoutes, {
      approvals,
      documents,
      workflowUrl: config.temporalWorkflowUrl,
      subjects: {
        withdrawal: async (id) => {
          const w = await withdrawals.getForAdmin(id);
          return toAdminWithdrawalView(w, config.temporalWorkflowUrl(w.workflowId));
        },
        claim: async (id) => insurance.adminClaimView(id),
        deletion: async (id) => {
          const subject = await accountDeletions.getForAdmin(id);
          return toAdminDeletionView(subject, config.temporalWorkflowUrl(subject.deletion.workflowId));
        },
        loan: async (id) => {
          const { loan, instalments } = await loans.getForAdmin(id);
          return { ...toLoanView(loan, instalments), workerId: loan.workerId, eligibility: loan.eligibility };
        },
      },
    });
    await fastify.register(adminLedgerRoutes, { reconciliations: createReconciliationRepository(db) });
    await fastify.register(adminCommissionRoutes, { plans });
    await fastify.register(adminOverviewRoutes, {
      overview: createAdminOverviewService({
        overview: createAdminOverviewRepository(db),
        loans,
        syncIntervalMs: config.EARNINGS_SYNC_INTERVAL_MS,
      }),
    });
    await fastify.register(adminWorkerRoutes, {
      workers: createAdminWorkersService({ workers: createAdminWorkersRepository(db) }),
    });
    await fastify.register(adminEarningsSyncRoutes, { platforms, batchSize: config.EARNINGS_SYNC_BATCH_SIZE });
    await fastify.register(adminPlatformRoutes, { admin: platformAdmin, logoMaxBytes: config.LOGO_MAX_BYTES });

    const sockets = createSocketServer({
      httpServer: fastify.server,
      authenticate: (token) => sessions.authenticate(token),
      redis,
      redisKeyPrefix: config.REDIS_KEY_PREFIX,
      missedSince: (principal, afterSeq, limit) =>
        principal.kind === 'worker'
          ? outbox.publishedForWorker(principal.workerId, afterSeq, limit)
          : outbox.publishedForAdmins(afterSeq, limit),
    });
    connectedSockets = () => sockets.connectedCount();
    const relay = createOutboxRelay({
      db,
      outbox,
      databaseUrl: config.DATABASE_URL,
      publish: (event) => sockets.publish(event),
      canPublish: () => sockets.canPublish(),
      batchSize: config.OUTBOX_BATCH_SIZE,
      pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      log: fastify.log,
    });
    const recovery = createRequestRecovery({
      requests,
      resume: {
        withdrawal: (id) => withdrawals.resume(id),
        loan: (id) => loans.resume(id),
        claim: (id) => insurance.resume(id),
        deletion: (id) => accountDeletions.resume(id),
      },
      intervalMs: config.REQUEST_RECOVERY_INTERVAL_MS,
      graceMs: config.REQUEST_START_GRACE_MS,
      log: fastify.log,
    });
    // Pushes (FCM) run beside the socket relay with their own mark on the outbox; off when FCM is not configured.
    const pushSender = createPushSender(config);
    if (!pushSender && config.isProduction) {
      // Not fatal (sign-in and money do not depend on it), but nobody must miss that closed apps get no pushes.
      fastify.log.error('push notifications are OFF: set FCM_PROJECT_ID or FCM_SERVICE_ACCOUNT_JSON');
    }
    const pushRelay =
      (pushSender || webPushSender) &&
      createPushRelay({
        db,
        queue: createPushQueueRepository(),
        devices: createDeviceTokenRepository(db),
        sender: pushSender,
        webPush: webPushSender && { subscriptions: webPushSubscriptions, sender: webPushSender },
        batchSize: config.PUSH_BATCH_SIZE,
        pollIntervalMs: config.PUSH_POLL_INTERVAL_MS,
        maxAttempts: config.PUSH_MAX_ATTEMPTS,
        maxAgeMs: config.PUSH_MAX_AGE_MS,
        log: fastify.log,
      });
    const background = deps.background ?? true;
    fastify.addHook('onReady', async () => {
      if (background) pushRelay?.start();
    });
    fastify.addHook('onClose', async () => {
      await pushRelay?.stop();
      await pushSender?.close();
    });
    fastify.addHook('onReady', async () => {
      if (!background) return;
      await relay.start();
      recovery.start();
    });
    fastify.addHook('onClose', async () => {
      await recovery.stop();
      await relay.stop();
      await sockets.close();
      smtp?.close();
    });
  },
  { name: 'gigbit-app' },
);
