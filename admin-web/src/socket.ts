import { io, type Socket } from 'socket.io-client';
import { accessToken, refreshSession } from './api';

/** The event envelope of docs/events.md. */
export interface Envelope {
  eventId: string;
  seq: number;
  type: string;
  version: number;
  data: Record<string, unknown>;
}

type Listener = (event: Envelope) => void;
type StatusListener = (connected: boolean) => void;

const ADMIN_EVENTS = [
  'request.updated',
  'withdrawal.status_changed',
  'request.status_changed',
  'loan.instalment_changed',
  'ledger.drift_detected',
];

/**
 * One Socket.IO connection for the signed-in admin (room `admins`). Events are de-duplicated by eventId; after a
 * reconnect, or when the server says the live stream may have a gap, whatever was missed is fetched with `resync`
 * from the highest seq seen.
 */
export function createLiveEvents() {
  const listeners = new Set<Listener>();
  const statusListeners = new Set<StatusListener>();
  const seen = new Set<string>();
  let lastSeq = 0;
  let connected = false;

  const socket: Socket = io({
    // A callback, so every reconnect presents the current (refreshed) token.
    auth: (cb) => {
      void accessToken().then((token) => cb({ token }));
    },
    transports: ['websocket'],
  });

  const deliver = (event: Envelope) => {
    if (seen.has(event.eventId)) return;
    seen.add(event.eventId);
    if (seen.size > 5000) seen.clear();
    lastSeq = Math.max(lastSeq, event.seq);
    for (const listener of listeners) listener(event);
  };

  async function resync() {
    for (let more = true; more;) {
      const answer = (await socket.emitWithAck('resync', { afterSeq: lastSeq })) as
        { events: Envelope[]; more: boolean } | { error: string };
      if ('error' in answer) return;
      answer.events.forEach(deliver);
      more = answer.more && answer.events.length > 0;
    }
  }

  const setStatus = (next: boolean) => {
    connected = next;
    for (const listener of statusListeners) listener(next);
  };

  let firstConnect = true;
  socket.on('connect', () => {
    setStatus(true);
    // The first connection starts from now (the pages load current state over REST); later ones catch up.
    if (!firstConnect && lastSeq > 0) void resync();
    firstConnect = false;
  });
  socket.on('disconnect', () => setStatus(false));
  socket.on('connect_error', (err) => {
    setStatus(false);
    if (err.message === 'unauthenticated') {
      void refreshSession().then((s) => {
        if (s) socket.connect();
      });
    }
  });
  socket.on('resync.required', () => void resync());
  for (const type of ADMIN_EVENTS) socket.on(type, (event: Envelope) => deliver(event));

  return {
    subscribe(listener: Listener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onStatus(listener: StatusListener): () => void {
      statusListeners.add(listener);
      listener(connected);
      return () => statusListeners.delete(listener);
    },
    close() {
      socket.close();
    },
  };
}

export type LiveEvents = ReturnType<typeof createLiveEvents>;
