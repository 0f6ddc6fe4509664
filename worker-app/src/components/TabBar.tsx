import { useI18n, type MessageKey } from '../i18n';
import { useRouter, type Route } from '../router';

const tabs: Array<{ route: Route; label: MessageKey; icon: string; also?: Route[] }> = [
  {
    route: '',
    label: 'tabHome',
    icon: 'M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z',
    also: ['platforms', 'plans'],
  },
  { route: 'withdraw', label: 'tabWithdraw', icon: 'M12 3v12m0 0l-5-5m5 5l5-5M4 19h16' },
  { route: 'loans', label: 'tabLoans', icon: 'M4 7h16v10H4zM12 10a2 2 0 1 0 0 4 2 2 0 0 0 0-4z' },
  { route: 'insurance', label: 'tabInsurance', icon: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z' },
  {
    route: 'more',
    label: 'tabMore',
    icon: 'M5 12h.01M12 12h.01M19 12h.01',
    also: ['notifications', 'history', 'settings'],
  },
];

/** The bottom tab bar: where the thumb is. */
export function TabBar() {
  const { t } = useI18n();
  const { route, navigate } = useRouter();
  return (
    <nav className="tabbar" aria-label="Main">
      {tabs.map((tab) => {
        const active = tab.route === route || (tab.also ?? []).includes(route);
        return (
          <a
            key={tab.route || 'home'}
            href={`/app/${tab.route}`}
            className={active ? 'active' : ''}
            aria-current={active ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(tab.route);
            }}
          >
            <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
              <path
                d={tab.icon}
                fill="none"
                stroke="currentColor"
                strokeWidth={tab.route === 'more' ? 3.5 : 2}
                strokeLinecap="round"
                strokeLinejoin="round"
              />
            </svg>
            <span>{t(tab.label)}</span>
          </a>
        );
      })}
    </nav>
  );
}
