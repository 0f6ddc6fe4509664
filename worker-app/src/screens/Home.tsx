import { Card, Loading, OfflineNote, Problem, Screen } from '../components/Screen';
import { EarningsChart } from '../components/EarningsChart';
import { dateTime, rupees } from '../format';
import { explain, useI18n } from '../i18n';
import { useResource } from '../live';
import { useRouter } from '../router';
import type { Balance, Platform } from '../types';

export const MONEY_EVENTS = ['withdrawal.status_changed', 'request.status_changed', 'loan.instalment_changed'];

/** The dashboard: how much can go out now, why, and where the money came from. */
export function Home() {
  const { t, lang } = useI18n();
  const { navigate } = useRouter();
  const balance = useResource<Balance>('/v1/me/balance', MONEY_EVENTS);
  const platforms = useResource<{ items: Platform[] }>('/v1/platforms');
  const b = balance.data;
  return (
    <Screen title={t('appName')}>
      <OfflineNote offline={balance.offline} fetchedAt={balance.fetchedAt} />
      {!b && balance.loading ? <Loading /> : null}
      {!b && balance.error ? <Problem>{explain(balance.error, t, lang)}</Problem> : null}
      {b ? (
        <>
          <section className="hero" aria-label={t('spendable')}>
            <p className="hero-label">{t('spendable')}</p>
            <p className="hero-amount" data-testid="spendable">
              {rupees(b.spendablePaise)}
            </p>
            <p className="hero-sub">{t('walletLine', { total: rupees(b.balancePaise), held: rupees(b.heldPaise) })}</p>
            {b.heldPaise > 0 ? <p className="hero-sub">{t('heldExplain', { held: rupees(b.heldPaise) })}</p> : null}
            <button type="button" className="hero-button" onClick={() => navigate('withdraw')}>
              {t('withdrawNow')}
            </button>
          </section>

          <Card title={t('withdrawalsLeft')} label={t('withdrawalsLeft')}>
            <div className="allowance">
              <span className="allowance-count" data-testid="allowance">
                {b.allowance.available}
              </span>
              <div>
                <p>{t('allowanceSplit', { base: b.allowance.todayBase, rollover: b.allowance.rollover })}</p>
                {b.allowance.nextAccrualAt ? (
                  <p className="muted small">{t('nextAccrual', { time: dateTime(b.allowance.nextAccrualAt, lang) })}</p>
                ) : (
                  <p className="muted small">{t('noPlanYet')}</p>
                )}
              </div>
            </div>
          </Card>

          <div className="quick">
            <button type="button" onClick={() => navigate('platforms')}>
              {t('managePlatforms')}
            </button>
            <button type="button" onClick={() => navigate('plans')}>
              {t('buyPlan')}
            </button>
          </div>

          <Card title={t('earningsByPlatform')}>
            <EarningsChart earnings={b.earningsByPlatform} platforms={platforms.data?.items ?? []} />
          </Card>
        </>
      ) : null}
    </Screen>
  );
}
