import { io, type Socket } from 'socket.io-client';
import type { Envelope } from './types';

/**
 * The live event stream (docs/events.md). The server puts the socket in the worker's room; the client remembers the
 * highest `seq` it has seen (in storage, per worker, so a reload or a night offline loses nothing) and, on every
 * (re)connect and whenever the server says `resync.required`, asks for everything after it, page by page.
 * Events can arrive twice (live and in a resync): they are de-duplicated by `eventId`.
 */
export const EVENT_TYPES = [
  'withdrawal.status_changed',
  'request.status_changed',
  'loan.instalment_changed',
  'insurance.coverage_changed',
] as const;

type Listener = (event: Envelope) => void;

export interface LiveConnection {
  on(listener: Listener): () => void;
  /** 'live' when connected and caught up. */
  state(): 'connecting' | 'live' | 'offline';
  onState(listener: (state: 'connecting' | 'live' | 'offline') => void): () => void;
  close(): void;
}

const seqKey = (workerId: string) => `gigbit.lastSeq.${workerId}`;

/**
 * `refresh` renews the access token (through the REST client's single-flight refresh) when the server refuses the
 * handshake as unauthenticated; Socket.IO does not retry a refused handshake by itself, so the client reconnects.
 */
export function connectLive(
  workerId: string,
  token: () => string | null,
  refresh: () => Promise<boolean>,
): LiveConnection {
  const listeners = new Set<Listener>();
  const stateListeners = new Set<(s: 'connecting' | 'live' | 'offline') => void>();
  const seen = new Set<number>();
  let lastSeq = Number(localStorage.getItem(seqKey(workerId)) ?? 0) || 0;
  let state: 'connecting' | 'live' | 'offline' = 'connecting';
  let resyncing: Promise<void> | null = null;

  const setState = (next: typeof state) => {
    state = next;
    for (const l of stateListeners) l(next);
  };

  const deliver = (event: Envelope) => {
    if (seen.has(event.eventId)) return;
    seen.add(event.eventId);
    if (seen.size > 2000) seen.delete(seen.values().next().value!);
    if (event.seq > lastSeq) {
      lastSeq = event.seq;
      localStorage.setItem(seqKey(workerId), String(lastSeq));
    }
    for (const l of listeners) l(event);
  };

  const socket: Socket = io({
    path: '/socket.io',
    transports: ['websocket'],
    // Read at every (re)connect: the access token may have been refreshed meanwhile.
    auth: (cb) => cb({ token: token() ?? '' }),
  });

  async function resync(): Promise<void> {
    for (;;) {
      const answer = (await socket.timeout(10_000).emitWithAck('resync', { afterSeq: lastSeq })) as
        { events: Envelope[]; more: boolean } | { error: string };
      if ('error' in answer) throw new Error(answer.error);
      for (const event of answer.events) deliver(event);
      if (!answer.more || answer.events.length === 0) return;
    }
  }

  function startResync(): void {
    resyncing ??= resync()
      .then(() => setState('live'))
      .catch(() => setState('connecting'))
      .finally(() => {
        resyncing = null;
      });
  }

  socket.on('connect', startResync);
  socket.on('resync.required', startResync);
  socket.on('disconnect', () => setState(navigator.onLine ? 'connecting' : 'offline'));
  let lastRefresh = 0;
  socket.on('connect_error', (err: Error) => {
    setState(navigator.onLine ? 'connecting' : 'offline');
    if (err.message === 'unauthenticated' && Date.now() - lastRefresh > 5_000) {
      lastRefresh = Date.now();
      void refresh().then((ok) => {
        if (ok && !socket.connected) socket.connect();
      });
    }
  });
  for (const type of EVENT_TYPES) socket.on(type, (event: Envelope) => deliver(event));

  // Phones drop and regain the network all day: do not wait for Socket.IO's backoff to notice either way. Coming
  // back connects at once, and the connect handler resyncs everything published meanwhile.
  const goOffline = () => {
    socket.disconnect();
    setState('offline');
  };
  const goOnline = () => {
    if (!socket.connected) socket.connect();
  };
  window.addEventListener('offline', goOffline);
  window.addEventListener('online', goOnline);

  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      window.removeEventListener('offline', goOffline);
      window.removeEventListener('online', goOnline);
      socket.close();
    },
  };
}
