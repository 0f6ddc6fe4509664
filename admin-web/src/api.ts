/**
 * The portal's only way to the API: JSON over fetch with the admin's bearer token, one refresh at a time (the API
 * revokes a whole session when a refresh token is presented twice, so two tabs' or two requests' refreshes must
 * never race), and every error turned into an ApiError carrying the API's own message.
 */

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
}

export interface AdminView {
  id: string;
  username: string;
  role: 'viewer' | 'approver' | 'senior_approver' | 'superadmin';
  email: string | null;
  phone: string | null;
  disabled: boolean;
  createdAt: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STORAGE_KEY = 'gigbit.admin.session';
const listeners = new Set<(session: Session | null) => void>();

// The session lives in this tab only (sessionStorage): closing the tab signs out, and no other site's script
// could read it anyway (CSP script-src 'self').
function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

let session: Session | null = load();

export function currentSession(): Session | null {
  return session;
}

export function setSession(next: Session | null): void {
  session = next;
  if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener(next);
}

export function onSessionChange(listener: (session: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.message) return new ApiError(response.status, body.error.code ?? 'ERROR', body.error.message);
  } catch {
    // Not JSON (a proxy's page): fall through to the status line.
  }
  return new ApiError(response.status, 'HTTP_ERROR', `${response.status} ${response.statusText}`.trim());
}

let refreshing: Promise<Session | null> | null = null;

/** Exchanges the refresh token once, however many callers need a fresh access token at the same moment. */
export function refreshSession(): Promise<Session | null> {
  refreshing ??= (async () => {
    const current = session;
    if (!current) return null;
    try {
      const response = await fetch('/v1/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      });
      if (!response.ok) {
        setSession(null);
        return null;
      }
      const body = (await response.json()) as Session;
      const next = { accessToken: body.accessToken, refreshToken: body.refreshToken, expiresAt: body.expiresAt };
      setSession(next);
      return next;
    } catch {
      // Network trouble: keep the session, the next call tries again.
      return current;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** A fresh-enough access token: refreshed ahead of expiry so calls rarely meet a 401. */
export async function accessToken(): Promise<string | null> {
  if (refreshing) await refreshing;
  const current = session;
  if (!current) return null;
  if (Date.parse(current.expiresAt) - Date.now() < 30_000) return (await refreshSession())?.accessToken ?? null;
  return current.accessToken;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Sent as is (a logo upload): no JSON encoding. */
  raw?: Blob;
  headers?: Record<string, string>;
}

async function send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.raw) {
    body = options.raw;
    headers['content-type'] ??= options.raw.type;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  return fetch(path, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body });
}

/** The raw response (for downloads); throws ApiError on an error status. */
export async function apiResponse(path: string, options: RequestOptions = {}): Promise<Response> {
  let response = await send(path, options, await accessToken());
  if (response.status === 401 && session) {
    const renewed = await refreshSession();
    if (renewed) response = await send(path, options, renewed.accessToken);
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401) setSession(null);
    throw error;
  }
  return response;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await apiResponse(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Public endpoints (sign-in steps): no token, no refresh. */
export async function publicApi<T>(path: string, body?: unknown): Promise<T> {
  const response = await send(path, { body }, null);
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

export async function signOut(): Promise<void> {
  try {
    if (session) await api('/v1/auth/sign-out', { method: 'POST' });
  } catch {
    // The session may already be gone; signing out locally is what matters.
  }
  setSession(null);
}

export function query(params: Record<string, string | number | string[] | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
