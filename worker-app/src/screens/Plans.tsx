import { useState } from 'react';
import { newKey, post } from '../api';
import { Card, Loading, Problem, Screen, Success } from '../components/Screen';
import { day, rupees } from '../format';
import { explain, useI18n } from '../i18n';
import { useResource } from '../live';
import type { Connection, Plan, Purchase } from '../types';

/** Buy plans (each gives platform slots and 2 withdrawals a day for 30 days) and see which are active. */
export function Plans() {
  const { t, lang } = useI18n();
  const offers = useResource<{ items: Plan[] }>('/v1/plans');
  const mine = useResource<{ items: Purchase[] }>('/v1/me/plans');
  const connections = useResource<{ items: Connection[] }>('/v1/me/platforms');
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState('');
  const [done, setDone] = useState('');

  const active = (mine.data?.items ?? []).filter((p) => p.active);
  const slots = active.reduce((s, p) => s + p.slots, 0);
  const used = (connections.data?.items ?? []).filter((c) => c.status === 'connected').length;

  async function buy(plan: Plan) {
    setBusy(plan.code);
    setProblem('');
    setDone('');
    try {
      await post(`/v1/plans/${plan.code}/purchases`, undefined, newKey('plan'));
      setDone(t('planBought', { name: plan.name }));
      await mine.reload();
    } catch (err) {
      setProblem(explain(err, t, lang));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Screen title={t('plansTitle')} back>
      {offers.loading && !offers.data ? <Loading /> : null}
      <Success>{done}</Success>
      <Problem>{problem}</Problem>
      <ul className="list" role="list">
        {(offers.data?.items ?? []).map((plan) => (
          <li key={plan.code} className="card plan" aria-label={plan.name}>
            <div className="plan-head">
              <strong>{plan.name}</strong>
              <span className="price">{rupees(plan.pricePaise)}</span>
            </div>
            <p>{t(plan.slots === 1 ? 'planSlotsOne' : 'planSlots', { n: plan.slots })}</p>
            <p className="muted small">
              {t('planWithdrawals', { n: plan.withdrawalsPerDay, days: plan.validDays })} ·{' '}
              {t('planCap', { n: plan.monthlyCap })}
            </p>
            <button type="button" className="primary" disabled={busy !== null} onClick={() => void buy(plan)}>
              {t('buyFor', { price: rupees(plan.pricePaise) })}
            </button>
          </li>
        ))}
      </ul>
      <Card title={t('yourPlans')}>
        {slots > 0 ? <p>{t('slotsUsed', { used, total: slots })}</p> : null}
        {(mine.data?.items ?? []).length === 0 ? <p className="muted">{t('noPlans')}</p> : null}
        <ul className="rows" role="list">
          {(mine.data?.items ?? []).map((p) => (
            <li key={p.id}>
              <span className="grow">
                {(offers.data?.items ?? []).find((o) => o.code === p.planCode)?.name ?? p.planCode} ·{' '}
                {t(p.slots === 1 ? 'planSlotsOne' : 'planSlots', { n: p.slots })}
              </span>
              <span className="muted small">
                {p.active ? t('validUntil', { date: day(p.expiresAt, lang) }) : t('expired')}
              </span>
            </li>
          ))}
        </ul>
      </Card>
    </Screen>
  );
}
