import { rupees } from '../format';
import { useI18n } from '../i18n';
import type { Balance, Platform } from '../types';

/** Lifetime earnings per platform as horizontal bars in each platform's brand colour. */
export function EarningsChart(props: { earnings: Balance['earningsByPlatform']; platforms: Platform[] }) {
  const { t } = useI18n();
  const max = Math.max(1, ...props.earnings.map((e) => e.amountPaise));
  const colour = (slug: string) => props.platforms.find((p) => p.slug === slug)?.brandColour ?? '#0f766e';
  if (props.earnings.length === 0) return <p className="muted">{t('noEarnings')}</p>;
  return (
    <ul className="chart" role="list" aria-label={t('earningsByPlatform')}>
      {props.earnings.map((e) => (
        <li key={e.slug}>
          <div className="chart-label">
            <span>{e.name}</span>
            <strong>{rupees(e.amountPaise)}</strong>
          </div>
          <div className="chart-track" aria-hidden="true">
            <div
              className="chart-bar"
              style={{ width: `${Math.max(3, (e.amountPaise / max) * 100)}%`, background: colour(e.slug) }}
            />
          </div>
          <div className="muted small">{t('trips', { n: e.trips })}</div>
        </li>
      ))}
    </ul>
  );
}
