import {
  createContext,
  useContext,
  useEffect,
  useRef,
  useState,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type RefObject,
} from 'react';

/** The portal lives under /admin/; the API serves admin/index.html for every deep link below it. */
export const BASE = '/admin';

function currentPath(): string {
  const path = window.location.pathname;
  const inside = path.startsWith(BASE) ? path.slice(BASE.length) : path;
  return inside === '' ? '/' : inside;
}

interface RouterValue {
  path: string;
  search: URLSearchParams;
  navigate(to: string, options?: { replace?: boolean }): void;
}

const RouterContext = createContext<RouterValue | null>(null);

export function Router({ children }: { children: React.ReactNode }) {
  const [location, setLocation] = useState(() => ({ path: currentPath(), search: window.location.search }));
  useEffect(() => {
    const onPop = () => setLocation({ path: currentPath(), search: window.location.search });
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (to: string, options: { replace?: boolean } = {}) => {
    const url = `${BASE}${to}`;
    if (options.replace) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
    const [path = '/', search = ''] = to.split('?');
    setLocation({ path, search: search ? `?${search}` : '' });
    window.scrollTo(0, 0);
  };
  return (
    <RouterContext.Provider value={{ path: location.path, search: new URLSearchParams(location.search), navigate }}>
      {children}
    </RouterContext.Provider>
  );
}

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (!value) throw new Error('useRouter outside Router');
  return value;
}

/** Matches `/requests/:id` style patterns; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!;
    const v = b[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(v);
    else if (p !== v) return null;
  }
  return params;
}

/** An in-app link: a real <a href> (open in new tab works), navigated without a reload on a plain click. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const { navigate } = useRouter();
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a {...rest} href={`${BASE}${to}`} onClick={onClick} />;
}

/**
 * After a page change (a link, or back/forward; not a filter change in the query), moves focus to the new page's
 * main heading: the link that was focused is gone, and focus would otherwise fall back to the top of the document,
 * so keyboard and screen-reader users would start again from the sidebar. Pages show their heading once their data
 * has loaded, so `main` takes focus at once and hands it to the h1 when it appears, unless the user has moved on.
 * The document title follows the heading, so the tab and the screen reader name the page too.
 */
export function usePageFocus(path: string, main: RefObject<HTMLElement | null>, appName: string): void {
  const firstLoad = useRef(true);
  // Read through a ref: switching the language must not count as a page change and pull focus off the switch.
  const name = useRef(appName);
  name.current = appName;
  useEffect(() => {
    const container = main.current;
    if (!container) return;
    const moveFocus = !firstLoad.current;
    firstLoad.current = false;
    if (moveFocus) container.focus({ preventScroll: true });
    const settle = (): boolean => {
      const heading = container.querySelector('h1');
      if (!heading) return false;
      document.title = `${heading.textContent?.trim() ?? ''} · ${name.current}`;
      const active = document.activeElement;
      if (moveFocus && (active === container || active === document.body || active === null)) {
        heading.tabIndex = -1;
        heading.focus({ preventScroll: true });
      }
      return true;
    };
    if (settle()) return;
    const observer = new MutationObserver(() => {
      if (settle()) observer.disconnect();
    });
    observer.observe(container, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [path, main]);
}
