import webpush from 'web-push';
import type { Config } from '../config';

/** What the PWA's service worker receives (decrypted) for one event: enough to show it and open the right screen. */
export interface WebPushPayload {
  title: string;
  body: string;
  /** Same event, same tag: a repeated delivery replaces the first notification instead of showing twice. */
  tag: string;
  /** The app page to open on a tap. */
  url: string;
  data: Record<string, string>;
}

export interface WebPushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export type WebPushOutcome =
  | { status: 'sent' }
  /** 404/410 from the push service: the subscription is gone for good (unsubscribed, expired). */
  | { status: 'gone' }
  | { status: 'failed'; code: string; message: string };

export interface WebPushSender {
  readonly publicKey: string;
  /** One outcome per message, in order; never throws for one message's failure. */
  send(messages: Array<{ target: WebPushTarget; payload: WebPushPayload }>): Promise<WebPushOutcome[]>;
}

/** Sends at a time: a slow push service must not hold the relay, and one worker's many browsers stay bounded. */
const PARALLEL_SENDS = 8;
const SEND_TIMEOUT_MS = 10_000;
/** A push that cannot be delivered within a day is not news any more. */
const TTL_SECONDS = 24 * 60 * 60;

type WebPushConfig = Pick<Config, 'VAPID_PUBLIC_KEY' | 'VAPID_PRIVATE_KEY' | 'VAPID_SUBJECT'>;

/**
 * The Web Push sender (RFC 8030 delivery, RFC 8291 aes128gcm encryption, RFC 8292 VAPID), or undefined when no
 * VAPID key pair is configured. The web-push package encrypts and signs; the request itself goes out with fetch,
 * which (unlike web-push's own https-only transport) also reaches a local plain-HTTP push service in development.
 */
export function createWebPushSender(
  config: WebPushConfig,
  endpointPolicy: PushEndpointPolicy,
): WebPushSender | undefined {
  if (!config.VAPID_PUBLIC_KEY || !config.VAPID_PRIVATE_KEY || !config.VAPID_SUBJECT) {
    return undefined;
  }
  const vapidDetails = {
    subject: config.VAPID_SUBJECT,
    publicKey: config.VAPID_PUBLIC_KEY,
    privateKey: config.VAPID_PRIVATE_KEY,
  };

  async function sendOne(target: WebPushTarget, payload: WebPushPayload): Promise<WebPushOutcome> {
    // Registration refuses such endpoints; one stored before the rule (or under another policy) is never called,
    // and answering `gone` makes the relay delete it.
    if (pushEndpointProblem(target.endpoint, endpointPolicy)) return { status: 'gone' };
    try {
      const options: webpush.RequestOptions = {
        vapidDetails,
        TTL: TTL_SECONDS,
        urgency: 'high',
        // Topics are at most 32 URL-safe characters; a newer message with the same topic replaces a queued one.
        topic: payload.tag.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32),
        contentEncoding: 'aes128gcm',
      };
      const body: string = JSON.stringify(payload);
      const request = webpush.generateRequestDetails(
        { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
        body,
        options,
      );
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
      const response = await fetch(request.endpoint, {
        method: request.method,
        headers,
        body: request.body ? new Uint8Array(request.body) : null,
        redirect: 'error',
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status === 404 || response.status === 410) {
        return { status: 'gone' };
      }
      if (response.status >= 200 && response.status < 300) {
        return { status: 'sent' };
      }
      return { status: 'failed', code: `http-${response.status}`, message: response.statusText };
    } catch (err) {
      return { status: 'failed', code: 'send-failed', message: err instanceof Error ? err.message : String(err) };
    }
  }

  return {
    publicKey: vapidDetails.publicKey,
    async send(messages) {
      const outcomes: WebPushOutcome[] = new Array<WebPushOutcome>(messages.length);
      let next = 0;
      const lane = async () => {
        while (next < messages.length) {
          const i = next++;
          const { target, payload } = messages[i]!;
          outcomes[i] = await sendOne(target, payload);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_SENDS, messages.length) }, lane));
      return outcomes;
    },
  };
}

export interface PushEndpointPolicy {
  /** Host names of the push services browsers use; `*.example.com` admits any subdomain of example.com. */
  serviceHosts: string[];
  /** Development only: a local push service stand-in speaks plain http. */
  allowHttp: boolean;
}

/**
 * Why an endpoint is refused, or undefined when a browser's push service could have given it. The push relay
 * POSTs to every registered endpoint and deletes it on 404/410, so an arbitrary URL would let a worker make the
 * server call (and probe) internal addresses: only the configured push services are accepted.
 */
export function pushEndpointProblem(value: string, policy: PushEndpointPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'endpoint must be a URL';
  }
  const schemeAllowed = url.protocol === 'https:' || (policy.allowHttp && url.protocol === 'http:');
  if (!schemeAllowed || url.username || url.password) {
    return policy.allowHttp ? 'endpoint must be an http(s) URL' : 'endpoint must be an https URL';
  }
  // Push services listen on 443; another port on their host is not one a browser would give.
  if (!policy.allowHttp && url.port !== '') return 'endpoint must use the default https port';
  const host = url.hostname.toLowerCase();
  const known = policy.serviceHosts.some((allowed) =>
    allowed.startsWith('*.') ? host.endsWith(allowed.slice(1)) : host === allowed,
  );
  return known ? undefined : `endpoint is not at a known push service (${host})`;
}
