import { Screen } from '../components/Screen';
import { useI18n, type MessageKey } from '../i18n';
import { useRouter, type Route } from '../router';

const items: Array<{ route: Route; label: MessageKey }> = [
  { route: 'notifications', label: 'notificationsTitle' },
  { route: 'history', label: 'historyTitle' },
  { route: 'platforms', label: 'platformsTitle' },
  { route: 'plans', label: 'plansTitle' },
  { route: 'settings', label: 'settingsTitle' },
];

export function More() {
  const { t } = useI18n();
  const { navigate } = useRouter();
  return (
    <Screen title={t('moreTitle')}>
      <nav className="card menu" aria-label={t('moreTitle')}>
        {items.map((item) => (
          <a
            key={item.route}
            href={`/app/${item.route}`}
            onClick={(e) => {
              e.preventDefault();
              navigate(item.route);
            }}
          >
            <span>{t(item.label)}</span>
            <span aria-hidden="true">›</span>
          </a>
        ))}
      </nav>
    </Screen>
  );
}
