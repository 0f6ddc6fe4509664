/**
 * A simulated bank/UPI payout rail: a real HTTP service standing in for a bank the machine cannot reach.
 *
 *   POST /payouts            { reference, amountPaise, currency } + Idempotency-Key  → 202 { payoutId, status: 'pending' }
 *   GET  /payouts/:id        → { payoutId, reference, amountPaise, status, failureReason }
 *   POST /control            { outcome: 'succeed' | 'fail', delayMs, duplicateWebhooks, answerDelayMs } → how later
 *                            payouts behave
 *
 * A payout settles after `delayMs` and the rail POSTs the result to the webhook URL, signed with HMAC-SHA256 of the
 * raw body (`x-rail-signature: sha256=<hex>`), retrying until the receiver answers 2xx. `duplicateWebhooks` sends
 * each result that many extra times, as real rails do. `answerDelayMs` makes the rail accept a payout at once but
 * answer the request that late (a slow bank whose answer the caller may never see). The same Idempotency-Key returns
 * the same payout; the same key with a different body is refused.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { startJsonServer, type JsonReply } from './json-server';

import type { RailPayout } from '../api/services/payout-rail.client';

export interface RailBehaviour {
  outcome: 'succeed' | 'fail';
  delayMs: number;
  duplicateWebhooks: number;
  answerDelayMs: number;
}

export function signRailBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface PayoutRailSimulator {
  url: string;
  payouts: Map<string, RailPayout>;
  setBehaviour(behaviour: Partial<RailBehaviour>): void;
  /** Where results are delivered; settable after start because the receiver may start after the rail. */
  setWebhookUrl(url: string): void;
  close(): Promise<void>;
}

export async function startPayoutRailSimulator(options: {
  port?: number;
  webhookUrl: string;
  webhookSecret: string;
  behaviour?: Partial<RailBehaviour>;
}): Promise<PayoutRailSimulator> {
  let behaviour: RailBehaviour = {
    outcome: 'succeed',
    delayMs: 50,
    duplicateWebhooks: 0,
    answerDelayMs: 0,
    ...options.behaviour,
  };
  let webhookUrl = options.webhookUrl;
  const payouts = new Map<string, RailPayout>();
  const byKey = new Map<string, { payoutId: string; fingerprint: string }>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) fn();
    }, ms);
    timers.add(timer);
  };

  function deliver(payout: RailPayout, attempt = 1): void {
    const body = JSON.stringify({
      event: 'payout.settled',
      payoutId: payout.payoutId,
      reference: payout.reference,
      status: payout.status,
      failureReason: payout.failureReason,
    });
    fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rail-signature': signRailBody(options.webhookSecret, body) },
      body,
    })
      .then((response) => {
        if (!response.ok) throw new Error(`webhook answered ${response.status}`);
      })
      .catch(() => {
        // Receivers go down; the rail keeps trying with backoff, as real rails do.
        if (attempt < 8) later(Math.min(100 * 2 ** attempt, 5_000), () => deliver(payout, attempt + 1));
      });
  }

  function settle(payoutId: string, settleAs: RailBehaviour): void {
    const payout = payouts.get(payoutId)!;
    payout.status = settleAs.outcome === 'succeed' ? 'succeeded' : 'failed';
    payout.failureReason = settleAs.outcome === 'fail' ? 'beneficiary bank declined' : null;
    for (let i = 0; i <= settleAs.duplicateWebhooks; i++) deliver(payout);
  }

  const server = await startJsonServer(
    options.port,
    ({ method, url, headers, body: raw }): JsonReply | Promise<JsonReply> => {
      const send = (status: number, reply: unknown): JsonReply => [status, reply];
      if (method === 'POST' && url.pathname === '/payouts') {
        const key = headers['idempotency-key'];
        const body = JSON.parse(raw) as { reference?: unknown; amountPaise?: unknown; currency?: unknown };
        if (typeof key !== 'string' || key.length < 8) return send(400, { error: 'Idempotency-Key required' });
        if (
          typeof body.reference !== 'string' ||
          !Number.isSafeInteger(body.amountPaise) ||
          (body.amountPaise as number) <= 0
        ) {
          return send(400, { error: 'reference and a positive integer amountPaise are required' });
        }
        const fingerprint = createHash('sha256')
          .update(JSON.stringify([body.reference, body.amountPaise, body.currency]))
          .digest('hex');
        const existing = byKey.get(key);
        if (existing) {
          if (existing.fingerprint !== fingerprint) {
            return send(422, { error: 'Idempotency-Key reused with a different payout' });
          }
          return send(202, payouts.get(existing.payoutId));
        }
        const payout: RailPayout = {
          payoutId: randomUUID(),
          reference: body.reference,
          amountPaise: body.amountPaise as number,
          status: 'pending',
          failureReason: null,
        };
        payouts.set(payout.payoutId, payout);
        byKey.set(key, { payoutId: payout.payoutId, fingerprint });
        const settleAs = { ...behaviour };
        later(settleAs.delayMs, () => settle(payout.payoutId, settleAs));
        const answer = send(202, { ...payout });
        if (settleAs.answerDelayMs === 0) return answer;
        return new Promise<JsonReply>((resolve) => later(settleAs.answerDelayMs, () => resolve(answer)));
      }
      const match = /^\/payouts\/([0-9a-f-]{36})$/.exec(url.pathname);
      if (method === 'GET' && match) {
        const payout = payouts.get(match[1]!);
        return payout ? send(200, payout) : send(404, { error: 'no such payout' });
      }
      if (method === 'POST' && url.pathname === '/control') {
        behaviour = { ...behaviour, ...(JSON.parse(raw) as Partial<RailBehaviour>) };
        return send(200, behaviour);
      }
      return send(404, { error: 'not found' });
    },
  );

  return {
    url: server.url,
    payouts,
    setBehaviour(next) {
      behaviour = { ...behaviour, ...next };
    },
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    async close() {
      closed = true;
      timers.forEach(clearTimeout);
      await server.close();
    },
  };
}

// `node --import tsx simulators/payout-rail.ts` (npm start runs it): settings from the environment.
if (require.main === module) {
  const secret = process.env.PAYOUT_RAIL_WEBHOOK_SECRET;
  const webhookUrl = process.env.PAYOUT_RAIL_WEBHOOK_URL;
  if (!secret || !webhookUrl) {
    console.error('PAYOUT_RAIL_WEBHOOK_SECRET and PAYOUT_RAIL_WEBHOOK_URL are required');
    process.exit(1);
  }
  void startPayoutRailSimulator({
    port: Number(process.env.PAYOUT_RAIL_PORT ?? 4100),
    webhookUrl,
    webhookSecret: secret,
  }).then((rail) => {
    console.log(`payout rail simulator on ${rail.url}, webhooks to ${webhookUrl}`);
    const stop = () => void rail.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
