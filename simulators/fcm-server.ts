/**
 * A fake Firebase Cloud Messaging server: a real HTTP service speaking FCM's HTTP v1 send API, standing in for
 * Google, which the machine cannot reach. firebase-admin reaches it through an agent that connects to this port
 * instead of fcm.googleapis.com (api/services/push.service.ts), so what it records is exactly what would go to Google.
 *
 *   POST /v1/projects/{project}/messages:send   { message, validate_only? } + Bearer token
 *        → 200 { name: "projects/{project}/messages/{id}" }
 *        → 404 NOT_FOUND with FcmError UNREGISTERED for a token told to be unregistered (as FCM answers)
 *        → 400 INVALID_ARGUMENT for a message FCM would refuse (no single target, non-string data values)
 *        → 401 UNAUTHENTICATED without a bearer token
 *   GET  /messages?token=                       → { messages: [...] } every send received, in order
 *   POST /control { unregistered?: string[], failNext?: number, clear?: boolean }
 *        → tokens FCM should call dead; the next N sends answer 500 INTERNAL; forget what was received
 */
import { randomBytes } from 'node:crypto';
import { startJsonServer, type JsonReply } from './json-server';

/** A message exactly as firebase-admin sent it (the `message` of the request body), with what was answered. */
export interface ReceivedFcmMessage {
  projectId: string;
  message: Record<string, unknown>;
  validateOnly: boolean;
  authorization: string | undefined;
  /** The Host header: the host the sender believes it is talking to. */
  host: string | undefined;
  status: number;
  outcome: 'delivered' | 'unregistered' | 'invalid' | 'unauthenticated' | 'internal';
  name: string | null;
}

export interface FcmSimulator {
  url: string;
  /** Every send request received, in arrival order. */
  received: ReceivedFcmMessage[];
  /** The messages FCM accepted for delivery (what would reach a phone), in order. */
  delivered(token?: string): Array<Record<string, unknown>>;
  /** From now on, FCM answers these tokens as unregistered (app uninstalled or token rotated). */
  unregister(...tokens: string[]): void;
  /** The next `count` sends fail with 500 INTERNAL, as during an FCM incident. */
  failNext(count: number): void;
  clear(): void;
  close(): Promise<void>;
}

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;

function googleError(code: number, status: string, message: string, errorCode?: string) {
  return {
    error: {
      code,
      message,
      status,
      ...(errorCode
        ? { details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] }
        : {}),
    },
  };
}

/** What FCM refuses before delivery, in FCM's words; null when the message is acceptable. */
function invalidReason(message: unknown): string | null {
  if (!message || typeof message !== 'object' || Array.isArray(message)) {
    return 'Invalid JSON payload received. Unknown name "message"';
  }
  const m = message as Record<string, unknown>;
  const targets = ['token', 'topic', 'condition'].filter((key) => m[key] !== undefined);
  if (targets.length !== 1) {
    return 'Exactly one of token, topic or condition must be specified';
  }
  if (targets[0] === 'token' && (typeof m.token !== 'string' || m.token.length === 0)) {
    return 'The registration token is not a valid FCM registration token';
  }
  if (m.data !== undefined) {
    if (!m.data || typeof m.data !== 'object') {
      return "Invalid value at 'message.data'";
    }
    for (const [key, value] of Object.entries(m.data)) {
      if (typeof value !== 'string') {
        return `Invalid value at 'message.data[${key}].value' (TYPE_STRING), ${JSON.stringify(value)}`;
      }
    }
  }
  return null;
}

export async function startFcmSimulator(options: { port?: number } = {}): Promise<FcmSimulator> {
  const received: ReceivedFcmMessage[] = [];
  const unregistered = new Set<string>();
  let failures = 0;

  const server = await startJsonServer(options.port, ({ method, url, headers, body }): JsonReply => {
    const send = SEND_PATH.exec(url.pathname);
    if (method === 'POST' && send) {
      const projectId = decodeURIComponent(send[1]!);
      const parsed = JSON.parse(body) as { message?: unknown; validate_only?: unknown };
      const message = (parsed.message ?? {}) as Record<string, unknown>;
      const record = (status: number, outcome: ReceivedFcmMessage['outcome'], name: string | null = null) =>
        received.push({
          projectId,
          message,
          validateOnly: parsed.validate_only === true,
          authorization: headers.authorization,
          host: headers.host,
          status,
          outcome,
          name,
        });

      if (!headers.authorization?.startsWith('Bearer ')) {
        record(401, 'unauthenticated');
        return [
          401,
          googleError(
            401,
            'UNAUTHENTICATED',
            'Request is missing required authentication credential. Expected OAuth 2 access token.',
          ),
        ];
      }
      const invalid = invalidReason(parsed.message);
      if (invalid) {
        record(400, 'invalid');
        return [400, googleError(400, 'INVALID_ARGUMENT', invalid, 'INVALID_ARGUMENT')];
      }
      if (failures > 0) {
        failures--;
        record(500, 'internal');
        return [500, googleError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL')];
      }
      if (typeof message.token === 'string' && unregistered.has(message.token)) {
        record(404, 'unregistered');
        return [404, googleError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED')];
      }
      const name = `projects/${projectId}/messages/${parsed.validate_only === true ? 'fake_message_id' : `0:${Date.now()}%${randomBytes(8).toString('hex')}`}`;
      record(200, 'delivered', name);
      return [200, { name }];
    }
    if (method === 'GET' && url.pathname === '/messages') {
      const token = url.searchParams.get('token');
      return [200, { messages: received.filter((r) => !token || r.message.token === token) }];
    }
    if (method === 'POST' && url.pathname === '/control') {
      const control = JSON.parse(body) as { unregistered?: string[]; failNext?: number; clear?: boolean };
      control.unregistered?.forEach((token) => unregistered.add(token));
      if (control.failNext !== undefined) {
        failures = control.failNext;
      }
      if (control.clear) {
        received.length = 0;
      }
      return [200, { unregistered: [...unregistered], failNext: failures }];
    }
    return [404, googleError(404, 'NOT_FOUND', 'The requested URL was not found on this server.')];
  });

  return {
    url: server.url,
    received,
    delivered(token) {
      return received
        .filter((r) => r.outcome === 'delivered' && (!token || r.message.token === token))
        .map((r) => r.message);
    },
    unregister(...tokens) {
      tokens.forEach((token) => unregistered.add(token));
    },
    failNext(count) {
      failures = count;
    },
    clear() {
      received.length = 0;
    },
    close: () => server.close(),
  };
}

// `node --import tsx simulators/fcm-server.ts` (npm start runs it when FCM is not configured).
if (require.main === module) {
  void startFcmSimulator({ port: Number(process.env.FCM_SIMULATOR_PORT ?? 4300) }).then((fcm) => {
    console.log(`FCM simulator on ${fcm.url} (pushes listed at ${fcm.url}/messages)`);
    const stop = () => void fcm.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
