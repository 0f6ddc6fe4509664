/**
 * A fake Web Push service (RFC 8030), standing in for the browsers' push services (Mozilla autopush, FCM for
 * Chrome), which the machine cannot reach. It checks what a real one checks before accepting a message:
 *
 *   POST /push/{id}  VAPID `Authorization: vapid t=<ES256 JWT>, k=<public key>` (RFC 8292: valid signature by k,
 *                    aud = this origin, exp within 24 h, sub mailto:/https:), `Content-Encoding: aes128gcm`, a TTL
 *        → 201 Created (Location: the message)            the message is queued for the browser
 *        → 410 Gone                                          a subscription told to be gone (unsubscribed)
 *        → 401/400                                           a missing/bad VAPID token, a wrong encoding
 *   GET  /messages                                           → what it received
 *
 * It never decrypts: only the browser holding the subscription's private key can. `decryptAes128gcm` below is that
 * browser's side (RFC 8291), for tests that hold the key pair of the subscription they made.
 */
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPush {
  subscriptionId: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  status: number;
  /** The VAPID token's claims, when it verified. */
  claims: { aud: string; exp: number; sub: string } | null;
  vapidPublicKey: string | null;
}

export interface WebPushServiceSimulator {
  url: string;
  /** A fresh endpoint on this service, as a browser's PushManager.subscribe() would get one. */
  endpoint(): string;
  received: ReceivedPush[];
  /** Accepted messages (201) for one endpoint, in arrival order. */
  delivered(endpoint: string): ReceivedPush[];
  /** From now on, pushes to this endpoint answer 410 Gone (the user unsubscribed). */
  gone(endpoint: string): void;
  close(): Promise<void>;
}

function verifyVapid(
  header: string | undefined,
  origin: string,
): { claims: ReceivedPush['claims']; key: string | null; problem: string | null } {
  const match = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match) return { claims: null, key: null, problem: 'missing or malformed VAPID Authorization' };
  const [, token, k] = match as unknown as [string, string, string];
  const [head, payload, signature] = token.split('.') as [string, string, string];
  const raw = Buffer.from(k, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) return { claims: null, key: k, problem: 'k is not an uncompressed P-256 key' };
  const publicKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${head}.${payload}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return { claims: null, key: k, problem: 'VAPID signature does not verify' };
  const header_ = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string };
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as NonNullable<ReceivedPush['claims']>;
  const now = Date.now() / 1000;
  if (header_.alg !== 'ES256') return { claims, key: k, problem: 'alg must be ES256' };
  if (claims.aud !== origin) return { claims, key: k, problem: `aud ${claims.aud} is not ${origin}` };
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600 + 60)) return { claims, key: k, problem: 'exp out of range' };
  if (!/^(mailto:|https:)/.test(claims.sub)) return { claims, key: k, problem: 'sub must be mailto: or https:' };
  return { claims, key: k, problem: null };
}

export async function startWebPushService(port = 0): Promise<WebPushServiceSimulator> {
  const received: ReceivedPush[] = [];
  const goneIds = new Set<string>();
  let origin = '';

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', origin);
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(body));
      };
      if (request.method === 'GET' && url.pathname === '/messages') {
        return answer(200, { messages: received.map((r) => ({ ...r, body: r.body.toString('base64') })) });
      }
      const push = /^\/push\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
      if (request.method !== 'POST' || !push) return answer(404, { error: 'not found' });
      const subscriptionId = push[1]!;
      const body = Buffer.concat(chunks);
      const vapid = verifyVapid(request.headers.authorization, origin);
      let status = 201;
      let problem: string | null = null;
      if (vapid.problem) {
        status = 401;
        problem = vapid.problem;
      } else if (request.headers['content-encoding'] !== 'aes128gcm') {
        status = 400;
        problem = 'Content-Encoding must be aes128gcm';
      } else if (!/^\d+$/.test(String(request.headers.ttl ?? ''))) {
        status = 400;
        problem = 'TTL header required';
      } else if (body.length < 16 + 4 + 1 + 65 + 17) {
        status = 400;
        problem = 'body too short for an aes128gcm record';
      } else if (goneIds.has(subscriptionId)) {
        status = 410;
        problem = 'subscription has expired or been unsubscribed';
      }
      received.push({
        subscriptionId,
        headers: request.headers,
        body,
        status,
        claims: vapid.claims,
        vapidPublicKey: vapid.key,
      });
      if (problem) return answer(status, { error: problem });
      return answer(201, {}, { location: `${origin}/messages/${received.length}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idOf = (endpoint: string) => endpoint.slice(endpoint.lastIndexOf('/') + 1);

  return {
    url: origin,
    endpoint: () => `${origin}/push/${randomBytes(12).toString('base64url')}`,
    received,
    delivered: (endpoint) => received.filter((r) => r.subscriptionId === idOf(endpoint) && r.status === 201),
    gone: (endpoint) => void goneIds.add(idOf(endpoint)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A browser's side of a subscription: the ECDH key pair and auth secret PushManager.subscribe() would make. */
export function browserSubscriptionKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    p256dh: ecdh.getPublicKey().toString('base64url'),
    auth: auth.toString('base64url'),
    /** Decrypts a message pushed to this subscription (RFC 8291, one aes128gcm record). */
    decrypt: (body: Buffer) => decryptAes128gcm(body, ecdh, auth),
  };
}

/** RFC 8291 §3.4 + RFC 8188: the user agent's decryption of an aes128gcm Web Push message. */
export function decryptAes128gcm(body: Buffer, ecdh: ReturnType<typeof createECDH>, authSecret: Buffer): string {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20]!;
  const serverPublicKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (record.length > recordSize) throw new Error('more than one record: not what a push message is');

  const sharedSecret = ecdh.computeSecret(serverPublicKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), serverPublicKey]);
  const ikm = Buffer.from(hkdfSync('sha256', sharedSecret, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));

  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('missing last-record delimiter');
  return padded.subarray(0, end).toString('utf8');
}
