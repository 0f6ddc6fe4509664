import { useEffect, useState } from 'react';
import { ApiError, get, newKey, post } from '../api';
import { PhotoPicker, type PickedFile } from '../components/PhotoPicker';
import { Card, Loading, Problem, Screen, Success } from '../components/Screen';
import { useDocumentUploads } from '../documents';
import { day, fileSize, parseRupees, percent, rupees } from '../format';
import { dayCount, endReason, explain, isKey, loanLimitText, useI18n, type Translate } from '../i18n';
import { useResource } from '../live';
import { useRules } from '../rules';
import type { Eligibility, Loan, Quote } from '../types';

const LOAN_EVENTS = ['request.status_changed', 'loan.instalment_changed'];

function EligibilityCard(props: { e: Eligibility }) {
  const { t } = useI18n();
  const { e } = props;
  const limit = e.limitingCondition;
  // Worded from the condition's code and figures; the server's English sentence only for a code this app lacks.
  const limitText = limit ? (loanLimitText(limit.code, limit.details, t) ?? limit.message) : '';
  const conditionVars = { days: dayCount(e.windowDays, t), amount: rupees(e.goodDayPaise) };
  return (
    <Card label={t('score')}>
      <div className="score">
        <div className="score-ring" style={{ ['--p' as string]: `${e.score / 10}%` }}>
          <strong>{e.score}</strong>
          <span className="small">/1000</span>
        </div>
        <div>
          <p className={e.eligible ? 'good' : 'bad'}>
            <strong>{e.eligible ? t('eligible') : t('notEligible')}</strong>
          </p>
          {e.eligible ? (
            <p>{t('canBorrow', { amount: rupees(e.maxAmountPaise), rate: percent(e.annualRateBps) })}</p>
          ) : null}
        </div>
      </div>
      <ul className="conditions" role="list">
        {e.conditions.map((c) => {
          const key = `cond_${c.code}`;
          return (
            <li key={c.code} className={c.met ? 'met' : 'unmet'}>
              <span aria-label={c.met ? t('met') : t('notMet')}>{c.met ? '✓' : '•'}</span>
              {isKey(key) ? t(key, { have: c.have, need: c.need, ...conditionVars }) : c.description}
            </li>
          );
        })}
      </ul>
      {limitText ? (
        <div className="note note-problem" role="note">
          <strong>{t('holdsBack')}: </strong>
          {limitText}
        </div>
      ) : null}
    </Card>
  );
}

/** The quote's refusal in the worker's words, with the range or the limiting condition's figures it carries. */
function quoteRefusalText(quote: Quote, t: Translate): string {
  const refusal = quote.refusal;
  if (!refusal) return '';
  if (refusal.code === 'NOT_ELIGIBLE') {
    const reason = loanLimitText(refusal.details.limitingCondition, refusal.details, t) ?? refusal.message;
    return t('err_LOAN_NOT_ALLOWED', { reason });
  }
  const range = { min: rupees(refusal.details.minPaise), max: rupees(refusal.details.maxPaise) };
  // Loans are whole rupees: the refusal is the same range, the words say what to change.
  return quote.amountPaise % 100 === 0 ? t('err_LOAN_RANGE', range) : t('err_LOAN_WHOLE_RUPEES', range);
}

function ApplyForm(props: { e: Eligibility; onApplied: (message: string) => void }) {
  const { t, lang } = useI18n();
  const rules = useRules();
  const [text, setText] = useState('');
  const [quote, setQuote] = useState<Quote | null>(null);
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const [key] = useState(() => newKey('loan'));
  const upload = useDocumentUploads('loan_proof');
  const amountPaise = parseRupees(text);

  useEffect(() => {
    setQuote(null);
    if (!Number.isFinite(amountPaise) || amountPaise <= 0) return undefined;
    const timer = setTimeout(() => {
      get<Quote>(`/v1/loans/quote?amountPaise=${amountPaise}`)
        .then(setQuote)
        .catch(() => undefined);
    }, 250);
    return () => clearTimeout(timer);
  }, [amountPaise]);

  async function apply() {
    setBusy(true);
    setProblem('');
    try {
      const [documentId] = await upload(files.map((f) => f.file));
      await post<Loan>('/v1/loans', { amountPaise, documentId }, key);
      props.onApplied(t('applied'));
    } catch (err) {
      // The key was used for an application that went through (its answer was lost, then the form changed):
      // the list below shows it.
      if (err instanceof ApiError && err.code === 'IDEMPOTENCY_KEY_REUSED') props.onApplied(explain(err, t, lang));
      else setProblem(explain(err, t, lang, rules));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t('applyTitle')}>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          void apply();
        }}
      >
        <div className="field">
          <label htmlFor="loan-amount">{t('loanAmount')}</label>
          <input
            id="loan-amount"
            className="amount-input"
            inputMode="numeric"
            aria-describedby="loan-range"
            value={text}
            onChange={(ev) => setText(ev.target.value)}
          />
          <p id="loan-range" className="muted small">
            {t('loanRange', { min: rupees(props.e.minAmountPaise), max: rupees(props.e.maxAmountPaise) })}
          </p>
        </div>
        {quote && !quote.refusal ? (
          <div className="quote">
            <p className="big-line">{t('emi', { emi: rupees(quote.emiPaise), n: quote.tenureMonths })}</p>
            <p className="muted small">
              {percent(quote.annualRateBps)} · {t('totalInterest', { amount: rupees(quote.totalInterestPaise) })}
            </p>
            {quote.approvalsRequired > 1 ? <p className="muted small">{t('twoApprovals')}</p> : null}
          </div>
        ) : null}
        {quote?.refusal ? <Problem>{quoteRefusalText(quote, t)}</Problem> : null}
        <PhotoPicker
          label={rules ? t('proof', { size: fileSize(rules.documents.maxBytes) }) : t('proofPlain')}
          files={files}
          onChange={setFiles}
          max={1}
        />
        <Problem>{problem}</Problem>
        <button
          type="submit"
          className="primary"
          disabled={busy || !quote || quote.refusal !== null || files.length === 0}
        >
          {t('applyButton', { amount: Number.isFinite(amountPaise) ? rupees(amountPaise) : '' })}
        </button>
      </form>
    </Card>
  );
}

function LoanCard(props: { loan: Loan; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const detail = useResource<Loan>(props.loan.status === 'active' ? `/v1/loans/${props.loan.id}` : null, LOAN_EVENTS);
  // The list is the newer truth once the loan leaves 'active' (prepaid, closed): the detail is only its schedule.
  const loan = props.loan.status === 'active' && detail.data ? detail.data : props.loan;
  const why = endReason(loan.status, loan.decisionReason, t);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const act = async (path: string, what: string) => {
    setBusy(true);
    setProblem('');
    try {
      await post(path, undefined, newKey(what));
      props.onChanged();
    } catch (err) {
      setProblem(explain(err, t, lang));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="card loan" aria-label={`${rupees(loan.amountPaise)} ${t(`loanStatus_${loan.status}`)}`}>
      <div className="plan-head">
        <strong>{rupees(loan.amountPaise)}</strong>
        <span className={`pill pill-${loan.status}`} data-testid="loan-status">
          {t(`loanStatus_${loan.status}`)}
        </span>
      </div>
      <p className="muted small">
        {t('emi', { emi: rupees(loan.emiPaise), n: loan.tenureMonths })} · {percent(loan.annualRateBps)}
      </p>
      {why ? <p>{t('reason', { reason: why })}</p> : null}
      {loan.status === 'active' ? <p>{t('outstanding', { amount: rupees(loan.outstandingPrincipalPaise) })}</p> : null}
      {loan.instalments ? (
        <details>
          <summary>{t('schedule')}</summary>
          <table className="schedule">
            <tbody>
              {loan.instalments.map((i) => (
                <tr key={i.number} className={`inst-${i.status}`}>
                  <td>{i.number}</td>
                  <td>{day(i.dueOn, lang)}</td>
                  <td className="num">{rupees(i.totalPaise)}</td>
                  <td>{t(`inst_${i.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
      <Problem>{problem}</Problem>
      {loan.status === 'active' ? (
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => void act(`/v1/loans/${loan.id}/prepay`, 'prepay')}
        >
          {t('prepay', { amount: rupees(loan.outstandingPrincipalPaise) })}
        </button>
      ) : null}
      {loan.status === 'pending_approval' ? (
        <button
          type="button"
          className="link danger"
          disabled={busy}
          onClick={() => void act(`/v1/loans/${loan.id}/cancel`, 'cancel')}
        >
          {t('cancelApplication')}
        </button>
      ) : null}
    </li>
  );
}

/** Eligibility with what limits it, a quote as the amount is typed, apply with a proof, schedule and prepay. */
export function Loans() {
  const { t } = useI18n();
  const eligibility = useResource<{ eligibility: Eligibility; bestOffer: Quote | null }>(
    '/v1/loans/eligibility',
    LOAN_EVENTS,
  );
  const loans = useResource<{ items: Loan[] }>('/v1/loans', LOAN_EVENTS);
  const [done, setDone] = useState('');
  const open = (loans.data?.items ?? []).some((l) => l.status === 'pending_approval' || l.status === 'active');
  const refresh = () => {
    void loans.reload();
    void eligibility.reload();
  };
  return (
    <Screen title={t('loansTitle')}>
      {eligibility.loading && !eligibility.data ? <Loading /> : null}
      <Success>{done}</Success>
      {eligibility.data ? <EligibilityCard e={eligibility.data.eligibility} /> : null}
      {eligibility.data?.eligibility.eligible && !open ? (
        <ApplyForm
          e={eligibility.data.eligibility}
          onApplied={(message) => {
            setDone(message);
            refresh();
          }}
        />
      ) : null}
      {(loans.data?.items ?? []).length > 0 ? (
        <>
          <h2 className="section">{t('yourLoans')}</h2>
          <ul className="list" role="list">
            {(loans.data?.items ?? []).map((l) => (
              <LoanCard key={l.id} loan={l} onChanged={refresh} />
            ))}
          </ul>
        </>
      ) : null}
    </Screen>
  );
}
