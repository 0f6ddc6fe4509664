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
 * One Socket.IO connection for the signed-in admin (room `admins`). Events are de-duplicated by eventId.
 *
 * Catching up after a (re)connect: with the highest seq seen, what was missed is fetched with `resync` after it.
 * Without one (nothing has arrived since sign-in, so the socket cannot name a point in the admins' stream), asking
 * from 0 would replay the room's whole history (every withdrawal of every worker) as if it were new, and the API
 * offers no cheaper way to learn the current seq; the pages' state comes from REST anyway, so they are told to
 * reload (`onGap`). The first connection counts too: a page may have read its data before the socket joined the
 * room. A resync that fails or times out falls back to the same reload.
 *
 * The resume point (`resumeSeq`) only moves past what is known to be complete: events of a resync, live events while
 * no catch-up runs (they arrive in seq order), and after a reload everything seen so far. A live event that lands
 * while a catch-up is reading may lie beyond a gap, so it is shown but does not move the resume point.
 *
 * `resync.required` is different: the API instance's Redis subscriber was down, so events relayed by other instances
 * were lost while this instance's own kept arriving live. The gap lies before events already seen, and no seq names
 * where it starts: the pages reread over REST instead of replaying from a point that may be past it.
 */
export function createLiveEvents() {
  const listeners = new Set<Listener>();
  const statusListeners = new Set<StatusListener>();
  const gapListeners = new Set<() => void>();
  const seen = new Set<string>();
  let resumeSeq = 0;
  let highestSeq = 0;
  let catchingUp: Promise<void> | null = null;
  let connected = false;

  const socket: Socket = io({
    // A callback, so every reconnect presents the current (refreshed) token.
    auth: (cb) => {
      void accessToken().then((token) => cb({ token }));
    },
    transports: ['websocket'],
  });

  const deliver = (event: Envelope, fromResync: boolean) => {
    highestSeq = Math.max(highestSeq, event.seq);
    if (fromResync || !catchingUp) resumeSeq = Math.max(resumeSeq, event.seq);
    if (seen.has(event.eventId)) return;
    seen.add(event.eventId);
    if (seen.size > 5000) seen.clear();
    for (const listener of listeners) listener(event);
  };

  /** The pages reread their data over REST, which covers every event seen so far. */
  const reload = () => {
    resumeSeq = highestSeq;
    for (const listener of gapListeners) listener();
  };

  async function resync(): Promise<void> {
    if (resumeSeq === 0) {
      reload();
      return;
    }
    // Each page is asked for after the last event of the previous one.
    try {
      for (let more = true; more;) {
        const answer = (await socket.timeout(10_000).emitWithAck('resync', { afterSeq: resumeSeq })) as
          { events: Envelope[]; more: boolean } | { error: string };
        if ('error' in answer) {
          reload();
          return;
        }
        for (const event of answer.events) deliver(event, true);
        more = answer.more && answer.events.length > 0;
      }
    } catch {
      // No answer in time (or the socket dropped again): what was missed is unknown, so the pages reread.
      reload();
    }
  }

  // A second reconnect while one catch-up runs means the socket dropped under it: its resync fails and reloads.
  const catchUp = () => {
    catchingUp ??= resync().finally(() => (catchingUp = null));
  };

  const setStatus = (next: boolean) => {
    connected = next;
    for (const listener of statusListeners) listener(next);
  };

  socket.on('connect', () => {
    setStatus(true);
    catchUp();
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
  socket.on('resync.required', reload);
  for (const type of ADMIN_EVENTS) socket.on(type, (event: Envelope) => deliver(event, false));

  return {
    subscribe(listener: Listener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Called when events may have been missed and cannot be replayed: reload the page's data over REST. */
    onGap(listener: () => void): () => void {
      gapListeners.add(listener);
      return () => gapListeners.delete(listener);
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
