import { useEffect, useMemo, useState } from 'react';
import { currentSession, get, onSessionChange, type Session } from './api';
import { TabBar } from './components/TabBar';
import { I18nContext, initialLang, LANG_KEY, translator, type Lang } from './i18n';
import { LiveContext, useResource } from './live';
import { RouterContext, useRouteState } from './router';
import { RulesContext } from './rules';
import { connectLive, type LiveConnection } from './socket';
import { History } from './screens/History';
import { Home } from './screens/Home';
import { Insurance } from './screens/Insurance';
import { Loans } from './screens/Loans';
import { More } from './screens/More';
import { Notifications } from './screens/Notifications';
import { Platforms } from './screens/Platforms';
import { Plans } from './screens/Plans';
import { Settings } from './screens/Settings';
import { SignIn } from './screens/SignIn';
import { Withdraw } from './screens/Withdraw';
import type { Rules } from './types';

/** The service worker's cache of dashboard answers (public/sw.js `DATA`; that file is plain JS and imports nothing). */
const DATA_CACHE = 'gigbit-data-v1';

/**
 * Drops the last worker's cached numbers so the next person on this phone cannot see them offline. The page deletes
 * the cache itself: a page opened with a hard reload, or before the service worker took control, has no
 * `controller` to ask. The message still goes to a controlling worker, which owns the cache.
 */
function clearCachedData(): void {
  navigator.serviceWorker?.controller?.postMessage({ type: 'clear-data' });
  if ('caches' in window) void caches.delete(DATA_CACHE).catch(() => undefined);
}

function SignedIn(props: { session: Session }) {
  const router = useRouteState();
  const [live, setLive] = useState<LiveConnection | null>(null);
  const [state, setState] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const workerId = props.session.subjectId;
  // The configured figures every screen words its rules with (limits, fees, windows), loaded once per session.
  const rules = useResource<Rules>('/v1/rules');

  useEffect(() => {
    const connection = connectLive(
      workerId,
      () => currentSession()?.accessToken ?? null,
      // Any authenticated call renews an expired access token (one refresh for every caller at once).
      () =>
        get('/v1/me/notifications/unread-count').then(
          () => true,
          () => false,
        ),
    );
    setLive(connection);
    const off = connection.onState(setState);
    return () => {
      off();
      connection.close();
    };
  }, [workerId]);

  const screen = (() => {
    switch (router.route) {
      case '':
        return <Home />;
      case 'withdraw':
        return <Withdraw />;
      case 'loans':
        return <Loans />;
      case 'insurance':
        return <Insurance />;
      case 'more':
        return <More />;
      case 'platforms':
        return <Platforms />;
      case 'plans':
        return <Plans />;
      case 'notifications':
        return <Notifications />;
      case 'history':
        return <History />;
      case 'settings':
        return <Settings />;
    }
  })();

  return (
    <RouterContext.Provider value={router}>
      <LiveContext.Provider value={{ live, state }}>
        <RulesContext.Provider value={rules.data}>
          <div className="app">
            {screen}
            <TabBar />
          </div>
        </RulesContext.Provider>
      </LiveContext.Provider>
    </RouterContext.Provider>
  );
}

export function App() {
  const [session, setSessionState] = useState(currentSession());
  const [lang, setLangState] = useState<Lang>(initialLang());
  useEffect(
    () =>
      onSessionChange((next) => {
        // However the session ended (sign-out, refused refresh, erased account), the cached numbers go with it.
        if (!next) clearCachedData();
        setSessionState(next);
      }),
    [],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const i18n = useMemo(
    () => ({
      lang,
      t: translator(lang),
      setLang: (next: Lang) => {
        localStorage.setItem(LANG_KEY, next);
        setLangState(next);
      },
    }),
    [lang],
  );
  return (
    <I18nContext.Provider value={i18n}>
      {session ? <SignedIn key={session.subjectId} session={session} /> : <SignIn />}
    </I18nContext.Provider>
  );
}
