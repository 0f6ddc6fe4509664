import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from './en';
import { hi } from './hi';

export type Lang = 'en' | 'hi';
/** The part before the first dot of a catalogue key: `status`, `type`, `field`, … */
type PrefixOf<K> = K extends `${infer P}.${string}` ? P : never;
export type WordPrefix = PrefixOf<MessageKey>;
const STORAGE_KEY = 'gigbit.lang';
const catalogues = { en, hi } as const;

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'hi') return saved;
  } catch {
    // Storage blocked: fall back to the browser's language.
  }
  return navigator.language.toLowerCase().startsWith('hi') ? 'hi' : 'en';
}

export interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** A word from the catalogue when there is one (statuses, types), else the raw value. */
  word(prefix: WordPrefix, value: string): string;
  /** The catalogue's word for a code, or undefined when the catalogue has none (the caller decides the fallback). */
  maybe(prefix: WordPrefix, value: string, vars?: Record<string, string | number>): string | undefined;
  /** An API field's label: the catalogue's when it has one, else the field name made readable (`humanKey`). */
  field(name: string): string;
  money(paise: number): string;
  number(n: number): string;
  date(iso: string | null | undefined): string;
  dateTime(iso: string | null | undefined): string;
  /** "26 Nov, 4:20 pm": for dense tables. */
  shortDateTime(iso: string | null | undefined): string;
  locale: string;
}

const I18nContext = createContext<I18n | null>(null);

/** "annualRateBps" → "Annual rate": an API field the catalogue does not know yet, as words (English only). */
export function humanKey(key: string): string {
  const words = key
    .replace(/(Paise|Bps)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered; still switched.
    }
  }, []);
  const value = useMemo<I18n>(() => {
    const messages = catalogues[lang];
    const locale = lang === 'hi' ? 'hi-IN' : 'en-IN';
    const rupees = new Intl.NumberFormat(locale, { style: 'currency', currency: 'INR', minimumFractionDigits: 2 });
    const numbers = new Intl.NumberFormat(locale);
    const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'Asia/Kolkata' });
    const dateTimes = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'Asia/Kolkata',
    });
    const shortDateTimes = new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'short',
      hour: 'numeric',
      minute: '2-digit',
      timeZone: 'Asia/Kolkata',
    });
    const t = (key: MessageKey, vars?: Record<string, string | number>) =>
      messages[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`));
    const maybe = (prefix: WordPrefix, value: string, vars?: Record<string, string | number>) => {
      const key = `${prefix}.${value}`;
      return Object.hasOwn(messages, key) ? t(key as MessageKey, vars) : undefined;
    };
    return {
      lang,
      setLang,
      locale,
      t,
      maybe,
      // A value the catalogue does not know yet (a status added on the server) is shown as sent, not guessed at.
      word: (prefix, value) => maybe(prefix, value) ?? value,
      field: (name) => maybe('field', name) ?? humanKey(name),
      // Paise are integers; dividing by 100 for display only is exact to the paisa.
      money: (paise) => rupees.format(paise / 100),
      number: (n) => numbers.format(n),
      date: (iso) => (iso ? dates.format(new Date(iso.length === 10 ? `${iso}T00:00:00+05:30` : iso)) : '—'),
      dateTime: (iso) => (iso ? dateTimes.format(new Date(iso)) : '—'),
      shortDateTime: (iso) => (iso ? shortDateTimes.format(new Date(iso)) : '—'),
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="lang-switch">
      <span>{t('lang.label')}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value === 'hi' ? 'hi' : 'en')}>
        <option value="en">English</option>
        <option value="hi">हिन्दी</option>
      </select>
    </label>
  );
}
