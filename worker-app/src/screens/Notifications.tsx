import { post } from '../api';
import { Loading, Screen } from '../components/Screen';
import { dateTime } from '../format';
import { isKey, useI18n } from '../i18n';
import { useResource } from '../live';
import type { AppNotification } from '../types';

/** The notification centre: newest first; read state kept on the server (so it matches on every device). */
export function Notifications() {
  const { t, lang } = useI18n();
  const list = useResource<{ items: AppNotification[]; nextCursor: string | null }>('/v1/me/notifications?limit=50', [
    '*',
  ]);
  const items = list.data?.items ?? [];
  // The server words notifications in English; in Hindi the title is the status in the app's own words.
  const titleOf = (n: AppNotification) => {
    const status = n.data.status;
    const key =
      n.type === 'withdrawal.status_changed'
        ? `status_${status}`
        : n.data.requestType === 'claim'
          ? `claimStatus_${status}`
          : n.data.requestType === 'loan'
            ? `loanStatus_${status}`
            : '';
    return key && isKey(key) ? t(key) : n.title;
  };
  return (
    <Screen title={t('notificationsTitle')} back>
      {list.loading && !list.data ? <Loading /> : null}
      {items.some((n) => !n.readAt) ? (
        <button
          type="button"
          className="link"
          onClick={async () => {
            await post(`/v1/me/notifications/read-all?throughId=${items[0]!.id}`);
            await list.reload();
          }}
        >
          {t('markAllRead')}
        </button>
      ) : null}
      {list.data && items.length === 0 ? <p className="muted">{t('noNotifications')}</p> : null}
      <ul className="list" role="list">
        {items.map((n) => (
          <li key={n.id} className={`card notification ${n.readAt ? '' : 'unread'}`}>
            <button
              type="button"
              className="plain"
              onClick={async () => {
                if (!n.readAt) {
                  await post(`/v1/me/notifications/${n.id}/read`);
                  await list.reload();
                }
              }}
            >
              <strong>{titleOf(n)}</strong>
              <span className="block">{n.body}</span>
              <span className="muted small block">{dateTime(n.createdAt, lang)}</span>
            </button>
          </li>
        ))}
      </ul>
    </Screen>
  );
}
