import { randomUUID } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { applicationDefault, cert, deleteApp, initializeApp, type App, type Credential } from 'firebase-admin/app';
import { getMessaging, type Message } from 'firebase-admin/messaging';
import type { Config } from '../config';

/** One push to one device, in the FCM HTTP v1 message shape firebase-admin sends. */
export interface PushMessage {
  token: string;
  notification: { title: string; body: string };
  data: Record<string, string>;
  android: { priority: 'high'; notification: { tag: string } };
  apns: { headers: Record<string, string> };
  webpush: { headers: Record<string, string>; notification: { tag: string } };
}

export type PushOutcome =
  | { status: 'sent'; messageId: string }
  /** FCM says the token is dead (app uninstalled, token rotated): forget it. */
  | { status: 'unregistered' }
  | { status: 'failed'; code: string; message: string };

export interface PushSender {
  /** Where pushes go, for logs: `fcm:<project>` or the emulator's URL. */
  readonly target: string;
  /** One outcome per message, in order. Never throws for a single message's failure. */
  send(messages: PushMessage[]): Promise<PushOutcome[]>;
  close(): Promise<void>;
}

/** FCM's own limit for one sendEach call. */
const FCM_MAX_BATCH = 500;
const UNREGISTERED = 'messaging/registration-token-not-registered';
const EMULATOR_PROJECT_ID = 'gigbit-dev';

/**
 * firebase-admin always talks to the fixed FCM host (https://fcm.googleapis.com). For the emulator, this agent
 * hands it a plain TCP connection to the fake server instead of a TLS one to Google: the request line, headers and
 * body are exactly those that would go to Google.
 */
class EmulatorAgent extends https.Agent {
  constructor(private readonly target: URL) {
    super({ keepAlive: true });
  }

  override createConnection(): Duplex {
    return net.connect({ host: this.target.hostname, port: Number(this.target.port || 80) });
  }
}

/** The fake server accepts any bearer; no Google OAuth round trip happens. A fresh random one per process. */
const emulatorBearer = `emulator-${randomUUID()}`;
const emulatorCredential: Credential = {
  getAccessToken: () => Promise.resolve({ access_token: emulatorBearer, expires_in: 3600 }),
};

type PushConfig = Pick<Config, 'FCM_PROJECT_ID' | 'FCM_SERVICE_ACCOUNT_JSON' | 'FCM_EMULATOR_URL'>;

/**
 * The push sender the configuration asks for, or undefined when push is off (no FCM project and no emulator).
 * Each sender is its own named firebase-admin app, so several API instances (and tests) can live in one process.
 */
export function createPushSender(config: PushConfig): PushSender | undefined {
  let credential: Credential;
  let projectId: string | undefined = config.FCM_PROJECT_ID;
  let agent: EmulatorAgent | undefined;
  if (config.FCM_EMULATOR_URL) {
    agent = new EmulatorAgent(new URL(config.FCM_EMULATOR_URL));
    credential = emulatorCredential;
    projectId ??= EMULATOR_PROJECT_ID;
  } else if (config.FCM_SERVICE_ACCOUNT_JSON) {
    const account = JSON.parse(config.FCM_SERVICE_ACCOUNT_JSON) as { project_id: string };
    credential = cert(account as Parameters<typeof cert>[0]);
    projectId ??= account.project_id;
  } else if (config.FCM_PROJECT_ID) {
    credential = applicationDefault();
  } else {
    return undefined;
  }

  const app: App = initializeApp(
    { credential, projectId, ...(agent ? { httpAgent: agent } : {}) },
    `gigbit-push-${randomUUID()}`,
  );
  const messaging = getMessaging(app);
  // sendEach's default HTTP/2 transport ignores httpAgent; the emulator needs the HTTP/1.1 one. Google gets the
  // default transport.
  if (agent) {
    messaging.enableLegacyHttpTransport();
  }

  return {
    target: config.FCM_EMULATOR_URL ?? `fcm:${projectId}`,
    async send(messages) {
      const outcomes: PushOutcome[] = [];
      for (let i = 0; i < messages.length; i += FCM_MAX_BATCH) {
        const chunk = messages.slice(i, i + FCM_MAX_BATCH);
        try {
          const batch = await messaging.sendEach(chunk satisfies Message[]);
          for (const response of batch.responses) {
            if (response.success) {
              outcomes.push({ status: 'sent', messageId: response.messageId ?? '' });
            } else if (response.error?.code === UNREGISTERED) {
              outcomes.push({ status: 'unregistered' });
            } else {
              outcomes.push({
                status: 'failed',
                code: response.error?.code ?? 'unknown',
                message: response.error?.message ?? 'no error detail',
              });
            }
          }
        } catch (err) {
          // The whole call failed (credentials, session): every message of the chunk is retried later.
          const code = (err as { code?: string }).code ?? 'send-failed';
          const message = err instanceof Error ? err.message : String(err);
          outcomes.push(...chunk.map((): PushOutcome => ({ status: 'failed', code, message })));
        }
      }
      return outcomes;
    },
    async close() {
      await deleteApp(app);
      agent?.destroy();
    },
  };
}
