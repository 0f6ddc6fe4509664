/** The REST client: bearer token, one serialised refresh on 401 (refresh tokens work once), typed errors. */

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
  subjectId: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const SESSION_KEY = 'gigbit.session';
let session: Session | null = readSession();
const listeners = new Set<(s: Session | null) => void>();

function readSession(): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function currentSession(): Session | null {
  return session;
}

export function setSession(next: Session | null): void {
  session = next;
  if (next) localStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else localStorage.removeItem(SESSION_KEY);
  for (const listener of listeners) listener(next);
}

export function onSessionChange(listener: (s: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * One refresh at a time: a refresh token is single use and the server signs the whole session out when one is
 * presented twice, so concurrent 401s all wait for the same refresh. Other tabs share localStorage: if another tab
 * refreshed first, its newer token is taken instead of spending ours again.
 */
let refreshing: Promise<Session | null> | null = null;
function refreshSession(used: Session): Promise<Session | null> {
  refreshing ??= (async () => {
    try {
      const stored = readSession();
      if (stored && stored.refreshToken !== used.refreshToken) {
        setSession(stored);
        return stored;
      }
      const response = await fetch('/v1/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: used.refreshToken }),
      });
      if (!response.ok) {
        if (response.status === 401 || response.status === 400) setSession(null);
        return null;
      }
      const next = (await response.json()) as Session;
      setSession(next);
      return next;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  /** Raw bytes (documents): sent as-is with this content type. */
  raw?: { data: Blob; contentType: string };
  /** Money-moving POSTs: the same key on a retry returns the first answer instead of acting twice. */
  idempotencyKey?: string;
}

export interface ApiResponse<T> {
  data: T;
  /** Served by the service worker from its cache while offline. */
  offline: boolean;
  fetchedAt: string | null;
}

async function send(path: string, options: RequestOptions, auth: Session | null): Promise<Response> {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = `Bearer ${auth.accessToken}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let body: BodyInit | undefined;
  if (options.raw) {
    headers['content-type'] = options.raw.contentType;
    body = options.raw.data;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  return fetch(path, { method: options.method ?? 'GET', headers, body });
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  let auth = session;
  let response: Response;
  try {
    response = await send(path, options, auth);
    if (response.status === 401 && auth) {
      auth = await refreshSession(auth);
      if (!auth) throw new ApiError(401, 'UNAUTHENTICATED', 'Signed out');
      response = await send(path, options, auth);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(0, 'OFFLINE', 'No connection');
  }
  if (response.status === 204) {
    return { data: undefined as T, offline: false, fetchedAt: null };
  }
  const text = await response.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })?.error;
    if (response.status === 401) setSession(null);
    throw new ApiError(
      response.status,
      error?.code ?? 'INTERNAL',
      error?.message ?? response.statusText,
      error?.details ?? {},
    );
  }
  return {
    data: json as T,
    offline: response.headers.get('x-gigbit-offline') === '1',
    fetchedAt: response.headers.get('x-gigbit-fetched-at'),
  };
}

export async function get<T>(path: string): Promise<T> {
  return (await request<T>(path)).data;
}

export async function post<T>(path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
  return (await request<T>(path, { method: 'POST', body, idempotencyKey })).data;
}

export async function del(path: string): Promise<void> {
  await request<void>(path, { method: 'DELETE' });
}

export const newKey = (what: string): string => `${what}-${crypto.randomUUID()}`;
