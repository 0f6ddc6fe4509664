import { useContext, type ReactNode } from 'react';
import { useI18n } from '../i18n';
import { LiveContext, useResource } from '../live';
import { useRouter } from '../router';
import { time } from '../format';

/** One screen: a sticky title bar (live indicator, notifications bell) and the content. */
export function Screen(props: { title: string; back?: boolean; children: ReactNode }) {
  const { t } = useI18n();
  const { navigate } = useRouter();
  const { state } = useContext(LiveContext);
  const unread = useResource<{ unread: number }>('/v1/me/notifications/unread-count', ['*']);
  return (
    <div className="screen">
      <header className="topbar">
        {props.back ? (
          <button type="button" className="icon-button" aria-label={t('back')} onClick={() => history.back()}>
            ‹
          </button>
        ) : null}
        <h1>{props.title}</h1>
        <span className={`live-dot live-${state}`} title={state === 'live' ? t('liveOn') : t('liveConnecting')} />
        <button
          type="button"
          className="icon-button bell"
          aria-label={`${t('notificationsTitle')}${unread.data?.unread ? ` (${unread.data.unread})` : ''}`}
          onClick={() => navigate('notifications')}
        >
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path
              d="M12 3a6 6 0 0 0-6 6v4l-2 3h16l-2-3V9a6 6 0 0 0-6-6zm-2 15a2 2 0 0 0 4 0"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinejoin="round"
            />
          </svg>
          {unread.data?.unread ? <span className="badge">{unread.data.unread}</span> : null}
        </button>
      </header>
      <main className="content">{props.children}</main>
    </div>
  );
}

export function OfflineNote(props: { offline: boolean; fetchedAt: string | null }) {
  const { t, lang } = useI18n();
  if (!props.offline) return null;
  return (
    <p className="note note-offline" role="status">
      {props.fetchedAt ? t('offline', { time: time(props.fetchedAt, lang) }) : t('offlineNoData')}
    </p>
  );
}

export function Problem(props: { children: ReactNode }) {
  if (!props.children) return null;
  return (
    <p className="note note-problem" role="alert">
      {props.children}
    </p>
  );
}

export function Success(props: { children: ReactNode }) {
  if (!props.children) return null;
  return (
    <p className="note note-success" role="status">
      {props.children}
    </p>
  );
}

export function Card(props: { title?: string; children: ReactNode; className?: string; label?: string }) {
  return (
    <section className={`card ${props.className ?? ''}`} aria-label={props.label ?? props.title}>
      {props.title ? <h2>{props.title}</h2> : null}
      {props.children}
    </section>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" aria-busy="true">
      {t('loading')}
    </p>
  );
}
