import { del, get, post } from './api';

/**
 * Web Push registration for the PWA (the native apps use FCM device tokens instead). Every step can be missing or
 * refused — no service worker, no PushManager (headless or old browsers), permission denied, push disabled on the
 * server — and each ends in a state the settings screen explains; nothing throws at the worker.
 */
export type PushState = 'on' | 'off' | 'blocked' | 'unsupported' | 'unavailable';

const SUBSCRIPTION_KEY = 'gigbit.webPushSubscriptionId';

const urlBase64ToBytes = (base64: string): Uint8Array<ArrayBuffer> => {
  const padded = (base64 + '='.repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
};

function supported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

export async function pushState(): Promise<PushState> {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  try {
    const registration = await navigator.serviceWorker.getRegistration('/app/');
    const subscription = await registration?.pushManager.getSubscription();
    return subscription && localStorage.getItem(SUBSCRIPTION_KEY) ? 'on' : 'off';
  } catch {
    return 'unavailable';
  }
}

/** Asks permission (on a tap: browsers require a gesture), subscribes, and registers the subscription. */
export async function enablePush(): Promise<PushState> {
  if (!supported()) return 'unsupported';
  try {
    const { enabled, publicKey } = await get<{ enabled: boolean; publicKey: string | null }>('/v1/web-push/public-key');
    if (!enabled || !publicKey) return 'unavailable';
    const permission = await Notification.requestPermission();
    if (permission === 'denied') return 'blocked';
    if (permission !== 'granted') return 'off';
    const registration = await navigator.serviceWorker.ready;
    const subscription =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: urlBase64ToBytes(publicKey),
      }));
    const saved = await post<{ id: string }>('/v1/me/web-push/subscriptions', subscription.toJSON());
    localStorage.setItem(SUBSCRIPTION_KEY, saved.id);
    return 'on';
  } catch {
    // Headless browsers and some privacy modes refuse subscribe(): the app keeps working on live updates.
    return 'unavailable';
  }
}

/** On sign-out: this browser stops receiving this worker's pushes. */
export async function disablePush(): Promise<void> {
  const id = localStorage.getItem(SUBSCRIPTION_KEY);
  localStorage.removeItem(SUBSCRIPTION_KEY);
  try {
    if (id) await del(`/v1/me/web-push/subscriptions/${id}`);
    const registration = await navigator.serviceWorker?.getRegistration('/app/');
    await (await registration?.pushManager.getSubscription())?.unsubscribe();
  } catch {
    // Signing out must not fail because push clean-up did.
  }
}
