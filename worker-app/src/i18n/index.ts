import { createContext, useContext } from 'react';
import { ApiError } from '../api';
import { fileSize, percent, rupees } from '../format';
import type { Rules } from '../types';
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

/** "1 day", "30 days" in the worker's language. */
export const dayCount = (n: number, t: Translate): string => t(n === 1 ? 'dayOne' : 'dayMany', { n });

/**
 * The condition that keeps a worker from a loan, worded from its code and figures (the eligibility's
 * limitingCondition, or a refusal's details); null when the figures it needs are missing.
 */
export function loanLimitText(code: unknown, figures: Record<string, unknown>, t: Translate): string | null {
  switch (code) {
    case 'OPEN_LOAN':
      return t('limit_OPEN_LOAN');
    case 'LOW_SCORE': {
      const score = num(figures.score);
      const minScore = num(figures.minScore);
      return score === null || minScore === null ? null : t('limit_LOW_SCORE', { score, minScore });
    }
    case 'LOW_EARNINGS': {
      const days = num(figures.windowDays);
      const shareBps = num(figures.maxShareOfEarningsBps);
      const share = num(figures.sharePaise);
      const min = num(figures.minAmountPaise);
      if (days === null || shareBps === null || share === null || min === null) return null;
      return t('limit_LOW_EARNINGS', {
        days: dayCount(days, t),
        share: percent(shareBps),
        amount: rupees(share),
        min: rupees(min),
      });
    }
    default:
      return null;
  }
}

/**
 * Any failure in the worker's words and language, from the API's error code and the figures in its details (or,
 * for a rule whose figures the error does not carry, from the configured rules). The API's English sentence is
 * shown only in English, and only for a refusal that arrives without its figures.
 */
export function explain(err: unknown, t: Translate, lang: Lang, rules?: Rules): string {
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
      if (d.limitingCondition === 'OPEN_LOAN') return t('err_LOAN_OPEN');
      const reason = loanLimitText(d.limitingCondition, d, t);
      if (reason) return t('err_LOAN_NOT_ALLOWED', { reason });
      return lang === 'en' && err.message
        ? t('err_LOAN_NOT_ALLOWED', { reason: err.message })
        : t('err_LOAN_NOT_ALLOWED_plain');
    }
    case 'CLAIM_NOT_ALLOWED': {
      // The claim's refusal names its rule; the rule's configured figures come from GET /v1/rules.
      const claims = rules?.insurance;
      if (d.rule === 'REPORTED_TOO_LATE') {
        return claims
          ? t('err_claim_REPORTED_TOO_LATE', { days: dayCount(claims.claimReportingWindowDays, t) })
          : t('err_claim_REPORTED_TOO_LATE_plain');
      }
      if (d.rule === 'DOCUMENTS_REQUIRED') {
        return claims
          ? t('err_claim_DOCUMENTS_REQUIRED', { min: claims.claimMinDocuments, max: claims.claimMaxDocuments })
          : t('err_claim_DOCUMENTS_REQUIRED_plain');
      }
      const rule = typeof d.rule === 'string' ? `err_claim_${d.rule}` : '';
      return isKey(rule) ? t(rule) : t('err_CLAIM_NOT_ALLOWED');
    }
    case 'PAYLOAD_TOO_LARGE':
      return rules
        ? t('err_PAYLOAD_TOO_LARGE', { size: fileSize(rules.documents.maxBytes) })
        : t('err_PAYLOAD_TOO_LARGE_plain');
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
