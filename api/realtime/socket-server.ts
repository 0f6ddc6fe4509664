import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { OutboxEvent } from '../db/outbox.repository';
import type { Principal } from '../services/access-token.service';
import { closeRedis, quietOnErrors } from './redis';
import { EVENT_CATALOGUE_VERSION, type EventEnvelope } from './event-catalogue';

const RESYNC_PAGE = 500;
/** Sent to clients whose live stream may have a gap: they call `resync` with their last seq. */
export const RESYNC_REQUIRED = 'resync.required';
const RESUBSCRIBE_PAUSE_MS = 1000;

function envelopeOf(event: OutboxEvent): EventEnvelope {
  return {
    eventId: event.id,
    seq: event.deliverySeq ?? 0,
    type: event.type,
    version: EVENT_CATALOGUE_VERSION,
    data: event.payload,
  };
}

export const rooms = {
  worker: (workerId: string) => `worker:${workerId}`,
  admins: 'admins',
} as const;

/**
 * Socket.IO on the API's HTTP server. A client authenticates in the handshake (`auth: { token }`) with the same
 * access token as the REST API and is placed in its rooms by the server; clients never choose rooms.
 * With Redis, the adapter carries every emit to sockets on all API instances.
 */
export function createSocketServer(options: {
  httpServer: HttpServer;
  /** The REST API's own check: signature, expiry and a live session. */
  authenticate: (token: unknown) => Promise<Principal | undefined>;
  redis?: Redis;
  redisKeyPrefix: string;
  /** Events of the caller's room published after `afterSeq`, in order (from PostgreSQL). */
  missedSince: (principal: Principal, afterSeq: number, limit: number) => Promise<OutboxEvent[]>;
}) {
  const io = new Server(options.httpServer, { serveClient: false, cors: { origin: false } });
  const adapterClients = options.redis
    ? [quietOnErrors(options.redis.duplicate()), quietOnErrors(options.redis.duplicate())]
    : [];
  if (adapterClients.length === 2) {
    io.adapter(createAdapter(adapterClients[0], adapterClients[1], { key: `${options.redisKeyPrefix}:socket.io` }));
  }

  // Redis pub/sub does not replay what an instance missed while its subscriber was disconnected (or while a
  // publish failed): when it is back, this instance's clients are told to resync from PostgreSQL. The pause lets
  // ioredis restore the subscriptions first (it reports ready before it has resubscribed).
  const subscriber = adapterClients[1];
  if (subscriber) {
    let wasDown = false;
    subscriber.on('close', () => (wasDown = true));
    subscriber.on('ready', () => {
      if (!wasDown) return;
      wasDown = false;
      setTimeout(() => io.local.emit(RESYNC_REQUIRED, { reason: 'fan-out was interrupted' }), RESUBSCRIBE_PAUSE_MS);
    });
  }
  // A publish that fails (Redis gone between the check and the emit) must not become an unhandled rejection that
  // ends the process: the events are in PostgreSQL, and the resync above recovers them.
  const publisher = adapterClients[0];
  if (publisher) {
    const publish = publisher.publish.bind(publisher) as (...args: unknown[]) => Promise<number>;
    (publisher as unknown as { publish: (...args: unknown[]) => Promise<number> }).publish = (...args) =>
      publish(...args).catch(() => 0);
  }

  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    options.authenticate(auth?.token).then(
      (principal) => {
        if (!principal) return next(new Error('unauthenticated'));
        socket.data = { principal };
        next();
      },
      () => next(new Error('unavailable')),
    );
  });

  io.on('connection', (socket) => {
    const principal = (socket.data as { principal: Principal }).principal;
    void socket.join(principal.kind === 'worker' ? rooms.worker(principal.workerId) : rooms.admins);
    // Resync: `socket.emit('resync', { afterSeq }, ack)` answers with what the caller's room missed, in order, a
    // page at a time (`more` says ask again from the last seq). The socket is already in its room, so nothing
    // published meanwhile is lost either; duplicates share an event id.
    socket.on('resync', (request: unknown, callback: unknown) => {
      if (typeof callback !== 'function') return;
      const ack = callback as (answer: { events: EventEnvelope[]; more: boolean } | { error: string }) => void;
      const afterSeq = (request as { afterSeq?: unknown } | undefined)?.afterSeq;
      if (typeof afterSeq !== 'number' || !Number.isSafeInteger(afterSeq) || afterSeq < 0) {
        ack({ error: 'afterSeq must be a whole number ≥ 0 (0 = from the beginning)' });
        return;
      }
      // The session may have ended since the handshake (sign-out, erasure, a disabled admin): check it again.
      options
        .authenticate((socket.handshake.auth as { token?: unknown } | undefined)?.token)
        .then(async (current) => {
          if (!current) {
            ack({ error: 'unauthenticated' });
            socket.disconnect(true);
            return;
          }
          const events = await options.missedSince(principal, afterSeq, RESYNC_PAGE + 1);
          ack({ events: events.slice(0, RESYNC_PAGE).map(envelopeOf), more: events.length > RESYNC_PAGE });
        })
        .catch(() => ack({ error: 'resync is unavailable right now; try again' }));
    });
  });

  return {
    io,
    /** Authenticated sockets connected to this instance (the metrics gauge). */
    connectedCount(): number {
      return io.of('/').sockets.size;
    },
    /** Whether an emit reaches every instance now: always without Redis; with it, only while it is connected. */
    canPublish(): boolean {
      return adapterClients.every((client) => client.status === 'ready');
    },
    async close(): Promise<void> {
      await io.close();
      await Promise.all(adapterClients.map((client) => closeRedis(client)));
    },
    publish(event: OutboxEvent): void {
      const targets = [
        ...(event.workerId ? [rooms.worker(event.workerId)] : []),
        ...(event.toAdmins ? [rooms.admins] : []),
      ];
      io.to(targets).emit(event.type, envelopeOf(event));
    },
  };
}
