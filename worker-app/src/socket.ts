import { io, type Socket } from 'socket.io-client';
import type { Envelope } from './types';

/**
 * The live event stream (docs/events.md). The server puts the socket in the worker's room; the client remembers how
 * far it has read (`seq`, in storage per worker, so a reload or a night offline loses nothing) and, on every
 * (re)connect and whenever the server says `resync.required`, asks for everything after it, page by page.
 * Events can arrive twice (live and in a resync, or re-published under a new seq): they are de-duplicated by
 * `eventId`, which never changes.
 *
 * The resume point only moves past events the client knows it has not missed:
 * - a resync page: the server's complete list after the asked seq, so its last event is a safe resume point;
 * - a live event while caught up (the last resync succeeded and the socket stayed connected since).
 * While a resync is running or has failed, live events are shown at once but do not move the resume point: they may
 * sit after a gap the resync has not filled yet, and resuming after them would skip it for good.
 */
export const EVENT_TYPES = [
  'withdrawal.status_changed',
  'request.status_changed',
  'loan.instalment_changed',
  'insurance.coverage_changed',
] as const;

type Listener = (event: Envelope) => void;
type LiveState = 'connecting' | 'live' | 'offline';

export interface LiveConnection {
  on(listener: Listener): () => void;
  /** 'live' when connected and caught up. */
  state(): LiveState;
  onState(listener: (state: LiveState) => void): () => void;
  close(): void;
}

interface ResyncPage {
  events: Envelope[];
  more: boolean;
}

const seqKey = (workerId: string) => `gigbit.lastSeq.${workerId}`;
const RESYNC_ANSWER_TIMEOUT_MS = 10_000;
/** A failed resync is asked again after 1 s, 2 s, 4 s … at most this long apart, while the socket stays connected. */
const RESYNC_RETRY_MAX_MS = 30_000;
const SEEN_EVENT_IDS_KEPT = 2_000;

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
  const stateListeners = new Set<(s: LiveState) => void>();
  const seen = new Set<number>();
  /** Where the next reconnect resumes (stored, so a reload resumes there too). */
  let resumeSeq = Number(localStorage.getItem(seqKey(workerId)) ?? 0) || 0;
  /**
   * How far a resync has confirmed the history. A `resync.required` (the server's fan-out lost events at some point
   * since) resumes here rather than from live events that may have arrived after the lost ones.
   */
  let confirmedSeq = resumeSeq;
  let state: LiveState = 'connecting';
  /** True only while the last resync succeeded and the socket has stayed connected since. */
  let caughtUp = false;
  /** The lowest seq a resync has been asked to start from and not yet read past; null when none is owed. */
  let owedFrom: number | null = null;
  let resyncRunning = false;
  let failedAttempts = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const setState = (next: LiveState) => {
    state = next;
    for (const l of stateListeners) l(next);
  };

  const moveResumePoint = (seq: number) => {
    if (seq <= resumeSeq) return;
    resumeSeq = seq;
    localStorage.setItem(seqKey(workerId), String(seq));
  };

  const deliver = (event: Envelope) => {
    if (seen.has(event.eventId)) return;
    seen.add(event.eventId);
    if (seen.size > SEEN_EVENT_IDS_KEPT) seen.delete(seen.values().next().value!);
    for (const l of listeners) l(event);
  };

  const socket: Socket = io({
    path: '/socket.io',
    transports: ['websocket'],
    // Read at every (re)connect: the access token may have been refreshed meanwhile.
    auth: (cb) => cb({ token: token() ?? '' }),
  });

  async function askPage(afterSeq: number): Promise<ResyncPage> {
    const answer = (await socket.timeout(RESYNC_ANSWER_TIMEOUT_MS).emitWithAck('resync', { afterSeq })) as
      ResyncPage | { error: string };
    if ('error' in answer) throw new Error(answer.error);
    return answer;
  }

  /** Reads every page owed, each from the last event of the one before; on failure schedules a retry. */
  async function runResync(): Promise<void> {
    resyncRunning = true;
    caughtUp = false;
    setState(navigator.onLine ? 'connecting' : 'offline');
    try {
      while (owedFrom !== null && socket.connected) {
        let after = owedFrom;
        owedFrom = null;
        try {
          for (;;) {
            const page = await askPage(after);
            for (const event of page.events) deliver(event);
            const last = page.events.at(-1);
            if (!last) break;
            after = last.seq;
            confirmedSeq = Math.max(confirmedSeq, after);
            moveResumePoint(after);
            if (!page.more) break;
          }
        } catch {
          // Nothing after `after` is confirmed: the retry (or the next connect) starts there.
          owedFrom = Math.min(owedFrom ?? after, after);
          if (socket.connected) scheduleRetry();
          return;
        }
      }
      if (socket.connected && owedFrom === null) {
        failedAttempts = 0;
        caughtUp = true;
        setState('live');
      }
    } finally {
      resyncRunning = false;
    }
  }

  function scheduleRetry(): void {
    clearTimeout(retryTimer);
    const delay = Math.min(RESYNC_RETRY_MAX_MS, 1_000 * 2 ** failedAttempts);
    failedAttempts += 1;
    retryTimer = setTimeout(() => {
      if (socket.connected && !resyncRunning && owedFrom !== null) void runResync();
    }, delay);
  }

  /** Owes a resync from `afterSeq` (joining one already owed or running) and starts it unless one is running. */
  function resyncFrom(afterSeq: number): void {
    owedFrom = Math.min(owedFrom ?? afterSeq, afterSeq);
    caughtUp = false;
    clearTimeout(retryTimer);
    if (!resyncRunning) void runResync();
  }

  socket.on('connect', () => {
    failedAttempts = 0;
    resyncFrom(resumeSeq);
  });
  socket.on('resync.required', () => resyncFrom(confirmedSeq));
  socket.on('disconnect', () => {
    caughtUp = false;
    clearTimeout(retryTimer);
    setState(navigator.onLine ? 'connecting' : 'offline');
  });
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
  for (const type of EVENT_TYPES) {
    socket.on(type, (event: Envelope) => {
      if (caughtUp) moveResumePoint(event.seq);
      deliver(event);
    });
  }

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
      clearTimeout(retryTimer);
      window.removeEventListener('offline', goOffline);
      window.removeEventListener('online', goOnline);
      socket.close();
    },
  };
}
