import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { api, currentSession, onSessionChange, signOut, type AdminView, type Session } from './api';
import { LanguageSwitch, useI18n } from './i18n';
import type { MessageKey } from './i18n/en';
import { Link, match, usePageFocus, useRouter } from './router';
import { createLiveEvents, type LiveEvents } from './socket';
import { ErrorBox, Loading, messageOf } from './components/ui';
import { SignIn } from './pages/SignIn';
import { Overview } from './pages/Overview';
import { Inbox } from './pages/Inbox';
import { RequestDetail } from './pages/RequestDetail';
import { Platforms } from './pages/Platforms';
import { Workers, WorkerDetail } from './pages/Workers';
import { Commission } from './pages/Commission';
import { Reconciliation } from './pages/Reconciliation';
import { Audit } from './pages/Audit';
import { Admins } from './pages/Admins';

interface PortalValue {
  me: AdminView;
  live: LiveEvents;
}
const PortalContext = createContext<PortalValue | null>(null);

export function usePortal(): PortalValue {
  const value = useContext(PortalContext);
  if (!value) throw new Error('usePortal outside the signed-in portal');
  return value;
}

const ROLE_RANK = { viewer: 0, approver: 1, senior_approver: 2, superadmin: 3 } as const;
export function hasRole(me: AdminView, role: AdminView['role']): boolean {
  return ROLE_RANK[me.role] >= ROLE_RANK[role];
}

export function App() {
  const [session, setSession] = useState<Session | null>(currentSession);
  useEffect(() => onSessionChange(setSession), []);
  if (!session) return <SignIn />;
  return <SignedIn />;
}

function SignedIn() {
  const [me, setMe] = useState<AdminView | null>(null);
  const [error, setError] = useState<string>();
  const [live, setLive] = useState<LiveEvents | null>(null);
  useEffect(() => {
    api<AdminView>('/v1/admin/me').then(setMe, (err: unknown) => setError(messageOf(err)));
    const events = createLiveEvents();
    setLive(events);
    return () => events.close();
  }, []);
  if (error) return <ErrorBox message={error} />;
  if (!me || !live) return <Loading />;
  return (
    <PortalContext.Provider value={{ me, live }}>
      <Shell />
    </PortalContext.Provider>
  );
}

const NAV: Array<{ to: string; key: MessageKey; role?: AdminView['role'] }> = [
  { to: '/', key: 'nav.overview' },
  { to: '/inbox', key: 'nav.inbox' },
  { to: '/platforms', key: 'nav.platforms' },
  { to: '/workers', key: 'nav.workers' },
  { to: '/commission', key: 'nav.commission' },
  { to: '/reconciliation', key: 'nav.reconciliation' },
  { to: '/audit', key: 'nav.audit' },
  { to: '/admins', key: 'nav.admins', role: 'superadmin' },
];

function Page() {
  const { path } = useRouter();
  const { me } = usePortal();
  let params: Record<string, string> | null;
  if (path === '/' || path === '/overview') return <Overview />;
  if (path === '/inbox') return <Inbox />;
  if ((params = match('/requests/:id', path))) return <RequestDetail id={params.id!} />;
  if (path === '/platforms') return <Platforms />;
  if (path === '/workers') return <Workers />;
  if ((params = match('/workers/:id', path))) return <WorkerDetail id={params.id!} />;
  if (path === '/commission') return <Commission />;
  if (path === '/reconciliation') return <Reconciliation />;
  if (path === '/audit') return <Audit />;
  if (path === '/admins' && me.role === 'superadmin') return <Admins />;
  return <ErrorBox message={`No page at /admin${path}`} />;
}

function Shell() {
  const { t, word } = useI18n();
  const { me, live } = usePortal();
  const { path } = useRouter();
  const [connected, setConnected] = useState(false);
  useEffect(() => live.onStatus(setConnected), [live]);
  const main = useRef<HTMLElement>(null);
  usePageFocus(path, main, t('app.name'));
  const active = (to: string) => (to === '/' ? path === '/' || path === '/overview' : path.startsWith(to));
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            G
          </span>
          <span>{t('app.name')}</span>
        </div>
        <nav aria-label={t('nav.main')}>
          <ul>
            {NAV.filter((n) => !n.role || hasRole(me, n.role)).map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={active(n.to) ? 'page' : undefined}>
                  {t(n.key)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-foot">
          <span className={`live ${connected ? 'live-on' : 'live-off'}`} role="status">
            {connected ? t('nav.live') : t('nav.offline')}
          </span>
          <div className="whoami">
            <strong>{me.username}</strong>
            <span>{word('role', me.role)}</span>
          </div>
          <LanguageSwitch />
          <button type="button" className="secondary" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </button>
        </div>
      </aside>
      <main id="main" tabIndex={-1} ref={main}>
        <Page />
      </main>
    </div>
  );
}
