import type { FastifyBaseLogger } from 'fastify';
import type { DeviceToken, DeviceTokenRepository } from '../db/device-token.repository';
import type { Db } from '../db/knex';
import type { PushQueueRepository, UnpushedEvent } from '../db/push-queue.repository';
import type { WebPushSubscriptionRepository } from '../db/web-push-subscription.repository';
import type { PushMessage, PushSender } from '../services/push.service';
import type { WebPushPayload, WebPushSender, WebPushTarget } from '../services/web-push.service';
import { notificationFor } from './notification-text';

export interface PushRelayOptions {
  db: Db;
  queue: PushQueueRepository;
  devices: DeviceTokenRepository;
  /** FCM, for native apps; undefined when FCM is not configured. */
  sender?: PushSender;
  /** Web Push, for the PWA; undefined when no VAPID key pair is configured. */
  webPush?: { subscriptions: WebPushSubscriptionRepository; sender: WebPushSender };
  batchSize: number;
  pollIntervalMs: number;
  maxAttempts: number;
  maxAgeMs: number;
  log: FastifyBaseLogger;
}

/**
 * The FCM message for one event on one device: the notification centre's words (`notificationFor`), the event's
 * ids as data plus its `eventId` (so the app can de-duplicate and resync), high priority on Android, and a
 * per-event tag / APNs collapse id so that a retried send replaces its first copy instead of showing twice.
 */
export function pushMessageFor(event: Pick<UnpushedEvent, 'id' | 'type' | 'workerId' | 'payload'>, token: string) {
  const text = notificationFor(event);
  if (!text) {
    return undefined;
  }
  const tag = `gigbit-event-${event.id}`;
  const message: PushMessage = {
    token,
    notification: { title: text.title, body: text.body },
    data: { ...text.data, eventId: String(event.id) },
    android: { priority: 'high', notification: { tag } },
    apns: { headers: { 'apns-collapse-id': tag } },
    // The PWA: the same tag replaces a repeated notification instead of showing it twice.
    webpush: { headers: { Urgency: 'high' }, notification: { tag } },
  };
  return message;
}

/** The app page an event's notification opens. */
function appPageFor(type: string, data: Record<string, string>): string {
  if (type.startsWith('withdrawal.')) return '/app/withdraw';
  if (type.startsWith('loan.') || data.requestType === 'loan') return '/app/loans';
  if (type.startsWith('insurance.') || data.requestType === 'claim') return '/app/insurance';
  if (data.requestType === 'deletion') return '/app/settings';
  return '/app/notifications';
}

/**
 * The Web Push payload for one event (encrypted per subscription by the sender): the same words and ids as the FCM
 * message, the per-event tag, and the page to open.
 */
export function webPushPayloadFor(
  event: Pick<UnpushedEvent, 'id' | 'type' | 'workerId' | 'payload'>,
): WebPushPayload | undefined {
  const text = notificationFor(event);
  if (!text) {
    return undefined;
  }
  const data = { ...text.data, eventId: String(event.id) };
  return {
    title: text.title,
    body: text.body,
    tag: `gigbit-event-${event.id}`,
    url: appPageFor(event.type, data),
    data,
  };
}

/** Longer than the slowest send (firebase-admin: 15 s per attempt, a few retries); then another relay may resend. */
const LEASE_MS = 2 * 60 * 1000;

/**
 * Pushes every worker-facing outbox event to the worker's registered devices (FCM) and browsers (Web Push, the PWA),
 * at least once. Safe on every API
 * instance: each pass leases a batch (a short statement), sends with no transaction open, then in one short
 * transaction deletes the tokens FCM reports as unregistered (and the subscriptions a push service answers 404/410
 * for) and marks the events pushed. A relay that dies
 * mid-send leaves the lease to run out and the events are sent again (the tag collapses the copy on the phone);
 * none is lost. Any other failure makes the event due again after an exponential backoff, up to `maxAttempts`
 * passes. Events of workers without devices, and events too old to be news, are marked without a send.
 */

export function createPushRelay(options: PushRelayOptions) {
  const { db, queue, devices, sender, webPush, log } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let draining: Promise<void> | undefined;

  /**
   * One pass over one batch; returns how many events it finished (pushed or given up). The batch is leased first
   * (a short statement), sent with no transaction open, and its outcome recorded in one short transaction.
   */
  async function drainOnce(): Promise<number> {
    const events = await queue.lease(db, options.batchSize, LEASE_MS);
    if (events.length === 0) {
      return 0;
    }
    const workerIds = [...new Set(events.map((e) => e.workerId))];
    const tokens = sender ? await devices.tokensOf(workerIds) : [];
    const subscriptions = webPush ? await webPush.subscriptions.subscriptionsOf(workerIds) : [];
    const subscriptionsByWorker = new Map<string, WebPushTarget[]>();
    for (const subscription of subscriptions) {
      subscriptionsByWorker.set(subscription.workerId, [
        ...(subscriptionsByWorker.get(subscription.workerId) ?? []),
        subscription,
      ]);
    }
    const byWorker = new Map<string, DeviceToken[]>();
    for (const device of tokens) {
      byWorker.set(device.workerId, [...(byWorker.get(device.workerId) ?? []), device]);
    }

    const sends: Array<{ event: UnpushedEvent; message: PushMessage }> = [];
    const webSends: Array<{ event: UnpushedEvent; target: WebPushTarget; payload: WebPushPayload }> = [];
    const oldest = Date.now() - options.maxAgeMs;
    for (const event of events) {
      if (event.createdAt.getTime() < oldest) {
        log.info({ eventId: event.id }, 'push skipped: the event is too old to be news');
        continue;
      }
      for (const device of byWorker.get(event.workerId) ?? []) {
        const message = pushMessageFor(event, device.token);
        if (message) {
          sends.push({ event, message });
        }
      }
      const payload = subscriptionsByWorker.has(event.workerId) ? webPushPayloadFor(event) : undefined;
      for (const target of payload ? (subscriptionsByWorker.get(event.workerId) ?? []) : []) {
        webSends.push({ event, target, payload: payload! });
      }
    }

    const [outcomes, webOutcomes] = await Promise.all([
      sender && sends.length > 0 ? sender.send(sends.map((s) => s.message)) : [],
      webPush && webSends.length > 0 ? webPush.sender.send(webSends) : [],
    ]);
    const dead: string[] = [];
    const failed = new Set<UnpushedEvent>();
    outcomes.forEach((outcome, i) => {
      const { event, message } = sends[i]!;
      if (outcome.status === 'unregistered') {
        dead.push(message.token);
      } else if (outcome.status === 'failed') {
        failed.add(event);
        log.warn({ eventId: event.id, code: outcome.code, err: outcome.message }, 'push failed; retrying later');
      }
    });

    const goneEndpoints: string[] = [];
    const deliveredEndpoints = new Set<string>();
    webOutcomes.forEach((outcome, i) => {
      const { event, target } = webSends[i]!;
      if (outcome.status === 'gone') {
        goneEndpoints.push(target.endpoint);
      } else if (outcome.status === 'failed') {
        failed.add(event);
        log.warn({ eventId: event.id, code: outcome.code, err: outcome.message }, 'web push failed; retrying later');
      } else {
        deliveredEndpoints.add(target.endpoint);
      }
    });

    const retry = [...failed].filter((e) => e.pushAttempts + 1 < options.maxAttempts);
    for (const event of failed) {
      if (!retry.includes(event)) {
        log.error({ eventId: event.id, attempts: event.pushAttempts + 1 }, 'push given up after repeated failures');
      }
    }
    await db.transaction(async (trx) => {
      await devices.removeTokens(dead, trx);
      if (webPush) {
        await webPush.subscriptions.removeEndpoints(goneEndpoints, trx);
        await webPush.subscriptions.markDelivered([...deliveredEndpoints], trx);
      }
      await queue.recordFailedAttempt(
        trx,
        retry.map((e) => e.id),
        options.pollIntervalMs,
      );
      await queue.markPushed(
        trx,
        events.filter((e) => !retry.includes(e)).map((e) => e.id),
      );
    });
    return events.length - retry.length;
  }

  function wake(): void {
    if (stopped || draining) {
      return;
    }
    draining = (async () => {
      try {
        // A full batch means more may be waiting; a pass with failures waits for the next poll.
        while (!stopped && (await drainOnce()) === options.batchSize);
      } catch (err) {
        log.warn({ err }, 'push relay pass failed; will retry on the next poll');
      } finally {
        draining = undefined;
      }
    })();
  }

  function schedule(): void {
    timer = setTimeout(() => {
      wake();
      schedule();
    }, options.pollIntervalMs);
  }

  return {
    start(): void {
      log.info({ target: sender?.target, webPush: webPush !== undefined }, 'push relay started');
      wake();
      schedule();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await draining;
    },
  };
}
