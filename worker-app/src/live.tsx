import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { ApiError, request } from './api';
import type { LiveConnection } from './socket';
import type { Envelope } from './types';

/** The live stream and the app's "something changed" signal, shared by every screen. */
export const LiveContext = createContext<{ live: LiveConnection | null; state: 'connecting' | 'live' | 'offline' }>({
  live: null,
  state: 'connecting',
});

export function useLiveEvents(types: string[], handler: (event: Envelope) => void): void {
  const { live } = useContext(LiveContext);
  const saved = useRef(handler);
  saved.current = handler;
  const key = types.join(',');
  useEffect(() => {
    if (!live) return undefined;
    const wanted = key.split(',');
    const off = live.on((event) => {
      if (wanted.includes(event.type) || wanted.includes('*')) saved.current(event);
    });
    // A push handled by the service worker while the app is open: refresh too (the socket may be reconnecting).
    const onMessage = (message: MessageEvent<{ type?: string; data?: { type?: string } }>) => {
      const type = message.data?.data?.type;
      if (message.data?.type === 'push' && type && (wanted.includes(type) || wanted.includes('*'))) {
        saved.current({ eventId: -1, seq: 0, type, version: 1, data: message.data.data ?? {} });
      }
    };
    navigator.serviceWorker?.addEventListener('message', onMessage);
    return () => {
      off();
      navigator.serviceWorker?.removeEventListener('message', onMessage);
    };
  }, [live, key]);
}

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  offline: boolean;
  fetchedAt: string | null;
  reload: () => Promise<void>;
  set: (data: T) => void;
}

/** GET a path, keep the answer, reload it when one of the event types arrives (or on demand). */
export function useResource<T>(path: string | null, events: string[] = []): Resource<T> {
  const [state, setState] = useState<{
    data?: T;
    error?: unknown;
    loading: boolean;
    offline: boolean;
    fetchedAt: string | null;
  }>({
    loading: path !== null,
    offline: false,
    fetchedAt: null,
  });
  const current = useRef(path);
  current.current = path;
  const reload = useCallback(async () => {
    if (!path) return;
    setState((s) => ({ ...s, loading: true }));
    try {
      const response = await request<T>(path);
      if (current.current !== path) return;
      setState({ data: response.data, loading: false, offline: response.offline, fetchedAt: response.fetchedAt });
    } catch (error) {
      if (current.current !== path) return;
      setState((s) => ({
        ...s,
        error,
        loading: false,
        offline: error instanceof ApiError && error.code === 'OFFLINE',
      }));
    }
  }, [path]);
  useEffect(() => {
    void reload();
  }, [reload]);
  // A resync can deliver hundreds of events at once: one reload runs at a time, and the events that arrive while it
  // runs cost one more, not one each.
  const eventReload = useRef({ running: false, again: false });
  useLiveEvents(events, () => {
    const pending = eventReload.current;
    if (pending.running) {
      pending.again = true;
      return;
    }
    pending.running = true;
    void (async () => {
      try {
        do {
          pending.again = false;
          await reload();
        } while (pending.again);
      } finally {
        pending.running = false;
      }
    })();
  });
  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    offline: state.offline,
    fetchedAt: state.fetchedAt,
    reload,
    set: (data: T) => setState((s) => ({ ...s, data })),
  };
}
