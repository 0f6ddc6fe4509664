import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { OutboxEvent } from '../db/outbox.repository';
import type { Principal } from '../services/access-token.service';
import { EVENT_CATALOGUE_VERSION, type EventEnvelope } from './event-catalogue';

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
}) {
  const io = new Server(options.httpServer, { serveClient: false, cors: { origin: false } });
  const adapterClients = options.redis ? [options.redis.duplicate(), options.redis.duplicate()] : [];
  if (adapterClients.length === 2) {
    io.adapter(createAdapter(adapterClients[0], adapterClients[1], { key: `${options.redisKeyPrefix}:socket.io` }));
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
  });

  return {
    io,
    async close(): Promise<void> {
      await io.close();
      await Promise.all(adapterClients.map((client) => client.quit().catch(() => undefined)));
    },
    publish(event: OutboxEvent): void {
      const targets = [
        ...(event.workerId ? [rooms.worker(event.workerId)] : []),
        ...(event.toAdmins ? [rooms.admins] : []),
      ];
      const envelope: EventEnvelope = {
        eventId: event.id,
        type: event.type,
        version: EVENT_CATALOGUE_VERSION,
        data: event.payload,
      };
      io.to(targets).emit(event.type, envelope);
    },
  };
}
