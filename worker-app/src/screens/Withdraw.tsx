import { useEffect, useMemo, useState } from 'react';
import { get, newKey, post, request } from '../api';
import { Card, OfflineNote, Problem, Screen } from '../components/Screen';
import { dateTime, parseRupees, percent, rupees } from '../format';
import { endReason, explain, useI18n, type Translate } from '../i18n';
import { useLiveEvents, useResource } from '../live';
import { useRules } from '../rules';
import type { Balance, Preview, Withdrawal, WithdrawalStatus } from '../types';
import { MONEY_EVENTS } from './Home';

const LAST_KEY = 'gigbit.lastWithdrawal';

/** The preview's refusal in the worker's words, with the figures it carries (the same as the POST's refusal). */
function refusalText(p: Preview, t: Translate): string {
  const refusal = p.refusal;
  switch (refusal?.code) {
    case 'ALLOWANCE_USED_UP':
      return refusal.details.nextAccrualAt ? t('err_ALLOWANCE_USED_UP') : t('err_ALLOWANCE_USED_UP_noplan');
    case 'INSUFFICIENT_FUNDS':
      return t('err_INSUFFICIENT_FUNDS', { amount: rupees(refusal.details.spendablePaise) });
    case 'AMOUNT_OUT_OF_RANGE':
      return t('err_AMOUNT_OUT_OF_RANGE', {
        min: rupees(refusal.details.minPaise),
        max: rupees(refusal.details.maxPaise),
      });
    case undefined:
      return '';
    default:
      return t('err_other');
  }
}

const steps: Array<{
  key: 'stepRequested' | 'stepApproval' | 'stepSending' | 'stepPaid';
  reached: WithdrawalStatus[];
}> = [
  { key: 'stepRequested', reached: ['pending_approval', 'approved', 'paying', 'paid'] },
  { key: 'stepApproval', reached: ['approved', 'paying', 'paid'] },
  { key: 'stepSending', reached: ['paying', 'paid'] },
  { key: 'stepPaid', reached: ['paid'] },
];
const ended: WithdrawalStatus[] = ['rejected', 'cancelled', 'expired', 'failed'];

function StatusCard(props: { withdrawal: Withdrawal; onChange: (w: Withdrawal) => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const w = props.withdrawal;
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const failed = ended.includes(w.status);
  const why = endReason(w.status, w.decisionReason, t);
  return (
    <Card title={t('recentWithdrawal')} className="status-card" label={t('recentWithdrawal')}>
      <div className="status-amount">
        <strong>{rupees(w.amountPaise)}</strong>
        <span className="muted small">{dateTime(w.createdAt, lang)}</span>
      </div>
      {!failed ? <p className="muted">{t('receiveLine', { amount: rupees(w.netPaise) })}</p> : null}
      <p
        className={`status-text ${failed ? 'bad' : w.status === 'paid' ? 'good' : ''}`}
        role="status"
        data-testid="withdrawal-status"
      >
        {t(`status_${w.status}`)}
      </p>
      {!failed ? (
        <ol className="steps">
          {steps.map((s) => (
            <li key={s.key} className={s.reached.includes(w.status) ? 'done' : ''}>
              {t(s.key)}
            </li>
          ))}
        </ol>
      ) : (
        <>
          {why ? <p>{t('reason', { reason: why })}</p> : null}
          <p>{t('moneyBack')}</p>
        </>
      )}
      <Problem>{problem}</Problem>
      {w.status === 'pending_approval' ? (
        <button
          type="button"
          className="secondary danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              props.onChange(await post<Withdrawal>(`/v1/withdrawals/${w.id}/cancel`, undefined, newKey('cancel')));
            } catch (err) {
              setProblem(explain(err, t, lang));
            } finally {
              setBusy(false);
            }
          }}
        >
          {t('cancelWithdrawal')}
        </button>
      ) : null}
      {w.status === 'paid' || failed ? (
        <button type="button" className="link" onClick={props.onDone}>
          {t('newWithdrawal')}
        </button>
      ) : null}
    </Card>
  );
}

/** Amount → fee → insurance share → what reaches the bank; refusals in plain words; live status until paid. */
export function Withdraw() {
  const { t, lang } = useI18n();
  const rules = useRules();
  const balance = useResource<Balance>('/v1/me/balance', MONEY_EVENTS);
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(() => newKey('withdrawal'));
  const [current, setCurrent] = useState<Withdrawal | null>(null);
  const amountPaise = useMemo(() => parseRupees(text), [text]);

  // The withdrawal on its way survives a reload: its id is remembered until it ends and is dismissed.
  useEffect(() => {
    const id = localStorage.getItem(LAST_KEY);
    if (id)
      void get<Withdrawal>(`/v1/withdrawals/${id}`)
        .then(setCurrent)
        .catch(() => localStorage.removeItem(LAST_KEY));
  }, []);

  useLiveEvents(['withdrawal.status_changed'], (event) => {
    const data = event.data as { withdrawalId?: string; status?: WithdrawalStatus };
    if (!current || data.withdrawalId !== current.id) return;
    if (data.status) setCurrent((w) => (w ? { ...w, status: data.status! } : w));
    void get<Withdrawal>(`/v1/withdrawals/${current.id}`)
      .then(setCurrent)
      .catch(() => undefined);
  });

  useEffect(() => {
    setPreview(null);
    if (!Number.isFinite(amountPaise) || amountPaise <= 0) return undefined;
    const timer = setTimeout(() => {
      request<Preview>(`/v1/withdrawals/preview?amountPaise=${amountPaise}`)
        .then((r) => setPreview(r.data))
        .catch((err: unknown) => setProblem(explain(err, t, lang)));
    }, 250);
    return () => clearTimeout(timer);
  }, [amountPaise, t, lang]);

  async function submit() {
    setBusy(true);
    setProblem('');
    try {
      const w = await post<Withdrawal>('/v1/withdrawals', { amountPaise }, key);
      localStorage.setItem(LAST_KEY, w.id);
      setCurrent(w);
      setText('');
      setKey(newKey('withdrawal'));
      void balance.reload();
    } catch (err) {
      setProblem(explain(err, t, lang));
    } finally {
      setBusy(false);
    }
  }

  const b = balance.data;
  // An allowance already shown as used up above is not repeated under the amount.
  const allowanceShown = b !== undefined && b.allowance.available === 0;
  const refusal =
    preview && !(allowanceShown && preview.refusal?.code === 'ALLOWANCE_USED_UP') ? refusalText(preview, t) : '';
  return (
    <Screen title={t('withdrawTitle')}>
      <OfflineNote offline={balance.offline} fetchedAt={balance.fetchedAt} />
      {current ? (
        <StatusCard
          withdrawal={current}
          onChange={setCurrent}
          onDone={() => {
            localStorage.removeItem(LAST_KEY);
            setCurrent(null);
          }}
        />
      ) : null}
      <Card>
        {b ? (
          <>
            <p className="big-line">{t('upTo', { amount: rupees(b.spendablePaise) })}</p>
            {b.allowance.available > 0 ? (
              <p className="muted">
                {t(b.allowance.available === 1 ? 'allowanceLineOne' : 'allowanceLine', {
                  n: b.allowance.available,
                  base: b.allowance.todayBase,
                  rollover: b.allowance.rollover,
                })}
              </p>
            ) : (
              <Problem>
                {b.allowance.nextAccrualAt ? t('err_ALLOWANCE_USED_UP') : t('err_ALLOWANCE_USED_UP_noplan')}
              </Problem>
            )}
          </>
        ) : null}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <div className="field">
            <label htmlFor="amount">{t('amountLabel')}</label>
            <input
              id="amount"
              className="amount-input"
              inputMode="decimal"
              aria-describedby={rules ? 'amount-range' : undefined}
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setProblem('');
              }}
            />
            {rules ? (
              <p id="amount-range" className="muted small">
                {t('withdrawRange', {
                  min: rupees(rules.withdrawal.minPaise),
                  max: rupees(rules.withdrawal.maxPaise),
                })}
              </p>
            ) : null}
          </div>
          {preview ? (
            <dl className="breakdown" aria-label="breakdown">
              <div>
                <dt>{t('amount')}</dt>
                <dd>{rupees(preview.amountPaise)}</dd>
              </div>
              <div>
                <dt>{t('serviceFee')}</dt>
                <dd>− {rupees(preview.serviceFeePaise)}</dd>
              </div>
              {preview.insuranceContributionPaise > 0 ? (
                <div>
                  <dt>
                    {rules
                      ? t('insuranceShare', { percent: percent(rules.withdrawal.insuranceShareBps) })
                      : t('kind_insurance_contribution')}
                  </dt>
                  <dd>− {rupees(preview.insuranceContributionPaise)}</dd>
                </div>
              ) : null}
              <div className="total">
                <dt>{t('youReceive')}</dt>
                <dd data-testid="net">{rupees(Math.max(0, preview.netPaise))}</dd>
              </div>
            </dl>
          ) : null}
          {preview && preview.refusal === null ? (
            <p className="muted small">
              {!preview.requiresApproval
                ? t('instant')
                : rules
                  ? t('needsApproval', { amount: rupees(rules.withdrawal.approvalFromPaise) })
                  : t('needsApprovalPlain')}
            </p>
          ) : null}
          <Problem>{refusal || problem}</Problem>
          <button type="submit" className="primary big" disabled={busy || !preview || preview.refusal !== null}>
            {preview ? t('withdrawButton', { amount: rupees(preview.amountPaise) }) : t('withdrawNow')}
          </button>
        </form>
      </Card>
    </Screen>
  );
}
