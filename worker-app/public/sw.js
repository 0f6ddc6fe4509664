/* GigBit worker app service worker (scope /app/).
 * - The shell (index.html and the hashed assets it names) is cached at install, so the app opens offline.
 * - The worker's own dashboard data (balance, platforms, plans) and the product rules' figures are network-first with
 *   the last good answer cached, so an offline start shows the last known numbers, marked with when they were fetched.
 * - Web Push: shows the server's notification (one tag per event, so a redelivery replaces it) and opens its page.
 */
const SHELL = 'gigbit-shell-v1';
const DATA = 'gigbit-data-v1'; // also named in src/App.tsx, which deletes it at sign-out
const SCOPE = new URL(self.registration.scope).pathname; // '/app/'
// /v1/rules: the configured figures the app's texts are worded with, so they read the same offline.
const CACHED_DATA = ['/v1/me/balance', '/v1/me/platforms', '/v1/me/plans', '/v1/plans', '/v1/platforms', '/v1/rules'];

async function cacheShell() {
  const cache = await caches.open(SHELL);
  const index = await fetch(`${SCOPE}index.html`, { cache: 'no-store' });
  if (!index.ok) throw new Error(`shell: ${index.status}`);
  const html = await index.clone().text();
  const assets = [...html.matchAll(/(?:src|href)="(\/app\/[^"]+)"/g)].map((m) => m[1]);
  await cache.put(`${SCOPE}index.html`, index);
  await cache.addAll([...new Set([...assets, `${SCOPE}icons/icon-192.png`])]);
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== SHELL && key !== DATA) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

async function shellFirst(request) {
  try {
    const fresh = await fetch(request);
    if (fresh.ok) {
      // A new deploy (another index.html): keep the newest shell for the next offline start.
      const cached = await caches.match(`${SCOPE}index.html`, { cacheName: SHELL });
      const [now, before] = await Promise.all([fresh.clone().text(), cached ? cached.text() : '']);
      if (now !== before) void cacheShell().catch(() => undefined);
      return fresh;
    }
    throw new Error(String(fresh.status));
  } catch {
    const cached = await caches.match(`${SCOPE}index.html`, { cacheName: SHELL });
    return cached ?? Response.error();
  }
}

async function assetCacheFirst(request) {
  const cached = await caches.match(request, { cacheName: SHELL });
  if (cached) return cached;
  const fresh = await fetch(request);
  if (fresh.ok) (await caches.open(SHELL)).put(request, fresh.clone());
  return fresh;
}

async function dataNetworkFirst(request) {
  const cache = await caches.open(DATA);
  try {
    const fresh = await fetch(request);
    if (fresh.ok) {
      const headers = new Headers(fresh.headers);
      headers.set('x-gigbit-fetched-at', new Date().toISOString());
      const copy = new Response(await fresh.clone().blob(), { status: fresh.status, headers });
      await cache.put(request.url, copy);
    }
    return fresh;
  } catch {
    const cached = await cache.match(request.url);
    if (!cached) return Response.error();
    const headers = new Headers(cached.headers);
    headers.set('x-gigbit-offline', '1');
    return new Response(await cached.blob(), { status: 200, headers });
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname.startsWith(SCOPE)) {
    event.respondWith(shellFirst(request));
  } else if (url.pathname.startsWith(`${SCOPE}assets/`) || url.pathname.startsWith(`${SCOPE}icons/`)) {
    event.respondWith(assetCacheFirst(request));
  } else if (CACHED_DATA.includes(url.pathname)) {
    event.respondWith(dataNetworkFirst(request));
  }
});

self.addEventListener('message', (event) => {
  // Sign-out: the next person on this phone must not see the last worker's numbers.
  if (event.data && event.data.type === 'clear-data') event.waitUntil(caches.delete(DATA));
});

self.addEventListener('push', (event) => {
  let payload = { title: 'GigBit', body: '', tag: undefined, url: SCOPE, data: {} };
  try {
    payload = { ...payload, ...event.data.json() };
  } catch {
    if (event.data) payload.body = event.data.text();
  }
  event.waitUntil(
    (async () => {
      await self.registration.showNotification(payload.title, {
        body: payload.body,
        tag: payload.tag,
        data: { url: payload.url, ...payload.data },
        icon: `${SCOPE}icons/icon-192.png`,
        badge: `${SCOPE}icons/icon-192.png`,
      });
      // An open app refreshes what the push is about right away.
      for (const client of await self.clients.matchAll({ type: 'window' })) {
        client.postMessage({ type: 'push', data: payload.data });
      }
    })(),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = (event.notification.data && event.notification.data.url) || SCOPE;
  event.waitUntil(
    (async () => {
      for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
        if (new URL(client.url).pathname.startsWith(SCOPE)) {
          await client.focus();
          client.postMessage({ type: 'navigate', url: target });
          return;
        }
      }
      await self.clients.openWindow(target);
    })(),
  );
});
