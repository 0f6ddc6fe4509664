import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api';
import { useI18n } from '../i18n';

/** Loads data for a page; `reload` refetches (after a decision, or when a live event says something changed). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (err: unknown) =>
        mine === generation.current && setState((s) => ({ ...s, error: messageOf(err), loading: false })),
    );
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function ErrorBox({ message, onRetry }: { message?: string; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!message) return null;
  return (
    <div className="error" role="alert">
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="muted" role="status">
      {t('common.loading')}
    </p>
  );
}

const TONES: Record<string, string> = {
  pending_approval: 'amber',
  on_time: 'green',
  overdue: 'red',
  escalated: 'red',
  expired: 'grey',
  approved: 'blue',
  paying: 'blue',
  paid: 'green',
  active: 'green',
  connected: 'green',
  ok: 'green',
  clean: 'green',
  succeeded: 'green',
  rejected: 'red',
  failed: 'red',
  refused: 'amber',
  drift: 'red',
  cancelled: 'grey',
  closed: 'grey',
  none: 'grey',
  disconnected: 'grey',
  grace: 'amber',
  lapsed: 'red',
  overdue_instalment: 'red',
};

export function Badge({ value, label }: { value: string; label?: string }) {
  return <span className={`badge badge-${TONES[value] ?? 'grey'}`}>{label ?? value}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  const { word } = useI18n();
  return <Badge value={status} label={word('status', status)} />;
}

export function Card({ title, children, actions }: { title?: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card">
      {(title || actions) && (
        <header className="card-head">
          {title && <h2>{title}</h2>}
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

export function Stat({ label, value, tone }: { label: string; value: string; tone?: string }) {
  return (
    <div className={`stat ${tone ? `stat-${tone}` : ''}`}>
      <span className="stat-label">{label}</span>
      <strong className="stat-value">{value}</strong>
    </div>
  );
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/**
 * Calls `reload` (debounced) whenever a live event arrives that `accept` lets through, and when the socket says
 * events may have been missed (`onGap`: after a reconnect it could not replay).
 */
export function useLiveReload(
  live: {
    subscribe(listener: (event: { type: string; data: Record<string, unknown> }) => void): () => void;
    onGap(listener: () => void): () => void;
  },
  reload: () => void,
  accept: (type: string) => boolean = () => true,
  onEvent?: (event: { type: string; data: Record<string, unknown> }) => void,
  debounceMs = 250,
) {
  const latest = useRef({ reload, accept, onEvent });
  latest.current = { reload, accept, onEvent };
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => latest.current.reload(), debounceMs);
    };
    const unsubscribe = live.subscribe((event) => {
      if (!latest.current.accept(event.type)) return;
      latest.current.onEvent?.(event);
      schedule();
    });
    const unsubscribeGap = live.onGap(schedule);
    return () => {
      clearTimeout(timer);
      unsubscribe();
      unsubscribeGap();
    };
  }, [live, debounceMs]);
}
