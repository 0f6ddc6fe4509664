import { useEffect, useState } from 'react';
import { LanguageSwitch, useI18n } from '../i18n';

interface Platform {
  slug: string;
  name: string;
  brandColour: string;
  enabled: boolean;
  logoUrl: string | null;
}
interface Plan {
  code: string;
  name: string;
  pricePaise: number;
  slots: number;
  validDays: number;
  withdrawalsPerDay: number;
}

/** How often the landing page re-reads the catalog (and at once when the tab regains focus). */
const POLL_MS = 10_000;

function usePlatforms() {
  const [state, setState] = useState<{ items: Platform[]; activeCount: number } | null>(null);
  useEffect(() => {
    let stopped = false;
    const load = () =>
      fetch('/v1/platforms')
        .then((r) => (r.ok ? (r.json() as Promise<{ items: Platform[]; activeCount: number }>) : null))
        .then((body) => {
          if (body && !stopped) setState(body);
        })
        .catch(() => undefined);
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    const onFocus = () => void load();
    const onVisible = () => document.visibilityState === 'visible' && void load();
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);
  return state;
}

export function Landing() {
  const i = useI18n();
  const { t } = i;
  const platforms = usePlatforms();
  const [plans, setPlans] = useState<Plan[]>([]);
  useEffect(() => {
    fetch('/v1/plans')
      .then((r) => (r.ok ? (r.json() as Promise<{ items: Plan[] }>) : { items: [] }))
      .then((body) => setPlans(body.items))
      .catch(() => undefined);
  }, []);
  const active = platforms?.items.filter((p) => p.enabled) ?? [];

  return (
    <div className="landing">
      <header className="landing-top">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            G
          </span>
          <span>GigBit</span>
        </div>
        <LanguageSwitch />
      </header>
      <main>
        <section className="hero">
          <div>
            <h1>{t('landing.tagline')}</h1>
            <p className="lead">{t('landing.lead')}</p>
            <a className="button cta" href="/app/">
              {t('landing.open')}
            </a>
          </div>
          <div className="live-count" aria-live="polite">
            <strong data-testid="active-platforms">{platforms ? i.number(platforms.activeCount) : '…'}</strong>
            <span>{t('landing.livePlatforms')}</span>
            <ul className="platform-chips">
              {active.map((p) => (
                <li key={p.slug}>
                  {p.logoUrl ? (
                    <img src={p.logoUrl} alt="" width={20} height={20} />
                  ) : (
                    <i style={{ background: p.brandColour }} aria-hidden="true" />
                  )}
                  {p.name}
                </li>
              ))}
            </ul>
          </div>
        </section>

        <section aria-labelledby="offers">
          <h2 id="offers">{t('landing.offers')}</h2>
          <div className="offers">
            {(['sync', 'withdraw', 'loans', 'insurance'] as const).map((k) => (
              <article key={k} className="offer">
                <h3>{t(`landing.offer.${k}`)}</h3>
                <p>{t(`landing.offer.${k}Text`)}</p>
              </article>
            ))}
          </div>
        </section>

        <section aria-labelledby="plans">
          <h2 id="plans">{t('landing.plans')}</h2>
          <div className="plans">
            {plans.map((p) => (
              <article key={p.code} className="plan">
                <h3>{p.name}</h3>
                <p className="price">{i.money(p.pricePaise)}</p>
                <ul>
                  <li>{p.slots === 1 ? t('landing.plan.platform') : t('landing.plan.platforms', { n: p.slots })}</li>
                  <li>{t('landing.plan.validity', { n: p.validDays })}</li>
                  <li>{t('landing.plan.withdrawals', { n: p.withdrawalsPerDay })}</li>
                </ul>
              </article>
            ))}
          </div>
        </section>

        <section aria-labelledby="how">
          <h2 id="how">{t('landing.how')}</h2>
          <ol className="steps">
            {(['landing.step1', 'landing.step2', 'landing.step3', 'landing.step4'] as const).map((k) => (
              <li key={k}>{t(k)}</li>
            ))}
          </ol>
          <a className="button cta" href="/app/">
            {t('landing.open')}
          </a>
        </section>
      </main>
      <footer className="landing-foot">
        {t('landing.footer')}
        <a href="/admin/">{t('landing.ops')}</a>
      </footer>
    </div>
  );
}
