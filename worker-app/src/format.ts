import type { Lang } from './i18n';

/** ₹ with Indian digit grouping (₹1,23,456.50); whole rupees without paise. */
export function rupees(paise: number): string {
  const sign = paise < 0 ? '−' : '';
  const abs = Math.abs(paise);
  const whole = Math.floor(abs / 100);
  const rest = abs % 100;
  return `${sign}₹${whole.toLocaleString('en-IN')}${rest ? `.${String(rest).padStart(2, '0')}` : ''}`;
}

const locale = (lang: Lang) => (lang === 'hi' ? 'hi-IN' : 'en-IN');

export function dateTime(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleString(locale(lang), {
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: 'Asia/Kolkata',
  });
}

export function day(isoOrDate: string, lang: Lang): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(isoOrDate) ? new Date(`${isoOrDate}T00:00:00+05:30`) : new Date(isoOrDate);
  return date.toLocaleDateString(locale(lang), {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'Asia/Kolkata',
  });
}

export function time(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleTimeString(locale(lang), {
    hour: 'numeric',
    minute: '2-digit',
    timeZone: 'Asia/Kolkata',
  });
}

/** Rupees typed by a worker ("1,500" or "1500.50") as paise; NaN when it is not an amount. */
export function parseRupees(text: string): number {
  const clean = text.replace(/[₹,\s]/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return Number.NaN;
  return Math.round(Number(clean) * 100);
}

export const percent = (bps: number): string => `${Number((bps / 100).toFixed(2))}%`;

/** A file size limit as people say it: 5 MB, 2.5 MB, 512 KB. */
export function fileSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Number((bytes / (1024 * 1024)).toFixed(1))} MB` : `${Math.floor(bytes / 1024)} KB`;
}

/** Today in IST as YYYY-MM-DD (incident dates are IST calendar days). */
export function todayIst(): string {
  return new Date(Date.now() + 5.5 * 3600_000).toISOString().slice(0, 10);
}
