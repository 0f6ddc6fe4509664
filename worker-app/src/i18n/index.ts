import { createContext, useContext } from 'react';
import { ApiError } from '../api';
import { rupees } from '../format';
import { en, type MessageKey } from './en';
import { hi } from './hi';

export type Lang = 'en' | 'hi';
export type { MessageKey };
const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, hi };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  return (key, vars) => {
    const text = dictionaries[lang][key] ?? en[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`)) : text;
  };
}

export const LANG_KEY = 'gigbit.lang';
export function initialLang(): Lang {
  const stored = localStorage.getItem(LANG_KEY);
  if (stored === 'en' || stored === 'hi') return stored;
  return navigator.language.startsWith('hi') ? 'hi' : 'en';
}

export const I18nContext = createContext<{ lang: Lang; t: Translate; setLang: (l: Lang) => void }>({
  lang: 'en',
  t: translator('en'),
  setLang: () => undefined,
});
export const useI18n = () => useContext(I18nContext);

export const isKey = (key: string): key is MessageKey => key in en;

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/**
 * Any failure in the worker's words and language: the API's error code and details (never its English message,
 * except where it carries the rule the worker must know, like a loan condition, in the English UI).
 */
export function explain(err: unknown, t: Translate, lang: Lang): string {
  if (!(err instanceof ApiError)) return t('err_other');
  const d = err.details;
  switch (err.code) {
    case 'ALLOWANCE_USED_UP':
      return d.nextAccrualAt ? t('err_ALLOWANCE_USED_UP') : t('err_ALLOWANCE_USED_UP_noplan');
    case 'INSUFFICIENT_FUNDS': {
      const spendable = num(d.spendablePaise);
      return spendable === null
        ? t('err_INSUFFICIENT_FUNDS_plain')
        : t('err_INSUFFICIENT_FUNDS', { amount: rupees(spendable) });
    }
    case 'AMOUNT_OUT_OF_RANGE': {
      const min = num(d.minPaise);
      const max = num(d.maxPaise);
      if (min !== null && max !== null) return t('err_AMOUNT_OUT_OF_RANGE', { min: rupees(min), max: rupees(max) });
      return lang === 'en' && err.message ? err.message : t('err_AMOUNT_OUT_OF_RANGE_plain');
    }
    case 'LOAN_NOT_ALLOWED': {
      const condition = typeof d.limitingCondition === 'string' ? d.limitingCondition : null;
      if (condition === 'OPEN_LOAN' || (!condition && /open/i.test(err.message))) return t('err_LOAN_OPEN');
      // The server's sentence names the rule with the worker's own numbers; other languages get the rule's name.
      if (lang === 'en') return t('err_LOAN_NOT_ALLOWED', { reason: err.message });
      if (condition === 'LOW_EARNINGS') return t('err_LOAN_LOW_EARNINGS');
      if (condition === 'LOW_SCORE') return t('err_LOAN_LOW_SCORE');
      const max = num(d.maxAmountPaise);
      return max ? t('err_LOAN_MAX', { amount: rupees(max) }) : t('err_LOAN_NOT_ALLOWED_plain');
    }
    case 'CLAIM_NOT_ALLOWED': {
      // The reporting window is configured and only the server's sentence names it in days.
      if (d.rule === 'REPORTED_TOO_LATE' && lang === 'en' && err.message) return err.message;
      const rule = typeof d.rule === 'string' ? `err_claim_${d.rule}` : '';
      return isKey(rule) ? t(rule) : t('err_CLAIM_NOT_ALLOWED');
    }
    default: {
      const key = `err_${err.code}`;
      return isKey(key) ? t(key) : t('err_other');
    }
  }
}

/**
 * Why a withdrawal, loan or claim ended, in the worker's language, or null when the status says it all. The server
 * stores fixed English texts for what the system decided (an expiry, the worker's own cancellation, a payout the
 * rail refused, an automatic approval); those are worded here from the status. Only a rejection carries an admin's
 * own words, which are shown as written.
 */
export function endReason(status: string, reason: string | null, t: Translate): string | null {
  switch (status) {
    case 'expired':
      return t('why_expired');
    case 'failed':
      return t('why_payout_failed');
    case 'rejected':
      return reason;
    default:
      return null;
  }
}
