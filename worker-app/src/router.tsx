import { createContext, useContext, useEffect, useState } from 'react';

/** Client-side routes under /app/ (the API answers every deep link with index.html). */
export const BASE = '/app/';

export type Route =
  '' | 'withdraw' | 'loans' | 'insurance' | 'more' | 'platforms' | 'plans' | 'notifications' | 'history' | 'settings';

const ROUTES: Route[] = [
  '',
  'withdraw',
  'loans',
  'insurance',
  'more',
  'platforms',
  'plans',
  'notifications',
  'history',
  'settings',
];

function routeOf(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length).replace(/\/$/, '') : '';
  return (ROUTES as string[]).includes(rest) ? (rest as Route) : '';
}

export const RouterContext = createContext<{ route: Route; navigate: (r: Route) => void }>({
  route: '',
  navigate: () => undefined,
});
export const useRouter = () => useContext(RouterContext);

export function useRouteState(): { route: Route; navigate: (r: Route) => void } {
  const [route, setRoute] = useState<Route>(() => routeOf(location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(routeOf(location.pathname));
    window.addEventListener('popstate', onPop);
    // A tapped notification: the service worker asks the open app to show its page.
    const onMessage = (m: MessageEvent<{ type?: string; url?: string }>) => {
      if (m.data?.type === 'navigate' && m.data.url) {
        history.pushState(null, '', m.data.url);
        setRoute(routeOf(m.data.url));
      }
    };
    navigator.serviceWorker?.addEventListener('message', onMessage);
    return () => {
      window.removeEventListener('popstate', onPop);
      navigator.serviceWorker?.removeEventListener('message', onMessage);
    };
  }, []);
  const navigate = (next: Route) => {
    if (next !== route) history.pushState(null, '', BASE + next);
    setRoute(next);
    window.scrollTo(0, 0);
  };
  return { route, navigate };
}
