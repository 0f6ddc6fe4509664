import { api } from '../api';
import { usePortal } from '../App';
import { BarChart, Donut } from '../components/Charts';
import { Badge, Card, ErrorBox, Loading, Stat, useLiveReload, useLoad } from '../components/ui';
import { useI18n } from '../i18n';

export interface OverviewData {
  generatedAt: string;
  withdrawalsPerDay: Array<{ day: string; requested: number; requestedPaise: number; paid: number; paidPaise: number }>;
  requestsBySla: Array<{ type: string; onTime: number; escalated: number; expired: number }>;
  insurancePoolPaise: number;
  loanBook: {
    activeLoans: number;
    disbursedPaise: number;
    outstandingPrincipalPaise: number;
    arrears: Array<{ bucket: string; instalments: number; loans: number; amountPaise: number }>;
  };
  syncHealth: Array<{
    slug: string;
    name: string;
    enabled: boolean;
    connectedAccounts: number;
    lastSyncedAt: string | null;
    staleAccounts: number;
    tripsLast24h: number;
  }>;
  lastReconciliation: { status: string; checkedAt: string } | null;
}

const COLOURS = { teal: '#0f766e', sky: '#0284c7', amber: '#d97706', red: '#dc2626', grey: '#94a3b8' };

export function Overview() {
  const i = useI18n();
  const { t } = i;
  const { live } = usePortal();
  const { data, error, reload } = useLoad(() => api<OverviewData>('/v1/admin/overview'), []);
  // Figures, not a queue: at most one re-read every 2 s however busy the event stream is.
  useLiveReload(live, reload, undefined, undefined, 2000);

  if (!data) return error ? <ErrorBox message={error} onRetry={reload} /> : <Loading />;
  const days = data.withdrawalsPerDay;
  const dayLabel = (d: string) =>
    new Intl.DateTimeFormat(i.locale, { day: 'numeric', month: 'short', timeZone: 'Asia/Kolkata' }).format(
      new Date(`${d}T00:00:00+05:30`),
    );
  const sla = data.requestsBySla;
  const onTime = sla.reduce((s, r) => s + r.onTime, 0);
  const escalated = sla.reduce((s, r) => s + r.escalated, 0);
  const expired = sla.reduce((s, r) => s + r.expired, 0);
  const arrearsPaise = data.loanBook.arrears.reduce((s, b) => s + b.amountPaise, 0);
  const compactMoney = (paise: number) =>
    new Intl.NumberFormat(i.locale, {
      style: 'currency',
      currency: 'INR',
      notation: 'compact',
      maximumFractionDigits: 1,
    }).format(paise / 100);

  return (
    <>
      <header className="page-head">
        <h1>{t('overview.title')}</h1>
        <span className="muted">{i.dateTime(data.generatedAt)}</span>
      </header>
      <div className="stats">
        <Stat label={t('overview.pendingTotal')} value={i.number(onTime + escalated)} />
        <Stat label={t('overview.escalated')} value={i.number(escalated)} tone={escalated > 0 ? 'red' : undefined} />
        <Stat label={t('overview.pool')} value={i.money(data.insurancePoolPaise)} />
        <Stat label={t('overview.outstanding')} value={i.money(data.loanBook.outstandingPrincipalPaise)} />
        <Stat label={t('overview.activeLoans')} value={i.number(data.loanBook.activeLoans)} />
      </div>
      <div className="grid-2">
        <Card title={t('overview.withdrawals')}>
          <BarChart
            title={t('overview.withdrawals')}
            description={days.map((d) => `${d.day}: ${d.requested} / ${d.paid}`).join('; ')}
            labels={days.map((d) => dayLabel(d.day))}
            series={[
              { name: t('overview.requested'), colour: COLOURS.sky, values: days.map((d) => d.requestedPaise) },
              { name: t('overview.paid'), colour: COLOURS.teal, values: days.map((d) => d.paidPaise) },
            ]}
            format={compactMoney}
          />
          <p className="muted small">
            {t('overview.requested')}: {i.number(days.reduce((s, d) => s + d.requested, 0))} · {t('overview.paid')}:{' '}
            {i.number(days.reduce((s, d) => s + d.paid, 0))}
          </p>
        </Card>
        <Card title={t('overview.sla')}>
          <div className="split">
            <Donut
              title={t('overview.sla')}
              centre={i.number(onTime + escalated)}
              centreLabel={t('overview.pending')}
              parts={[
                { name: t('overview.onTime'), colour: COLOURS.teal, value: onTime },
                { name: t('overview.escalated'), colour: COLOURS.red, value: escalated },
                { name: t('overview.expired'), colour: COLOURS.grey, value: expired },
              ]}
            />
            <table className="compact">
              <thead>
                <tr>
                  <th scope="col">{t('common.type')}</th>
                  <th scope="col" className="num">
                    {t('overview.onTime')}
                  </th>
                  <th scope="col" className="num">
                    {t('overview.escalated')}
                  </th>
                  <th scope="col" className="num" title={t('overview.expired')}>
                    {t('overview.expiredShort')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {sla.map((r) => (
                  <tr key={r.type}>
                    <th scope="row">{i.word('type', r.type)}</th>
                    <td className="num">{r.onTime}</td>
                    <td className="num">
                      {r.escalated > 0 ? <Badge value="overdue" label={String(r.escalated)} /> : 0}
                    </td>
                    <td className="num">{r.expired}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
        <Card title={t('overview.loanBook')}>
          <div className="stats inline">
            <Stat label={t('overview.disbursed')} value={i.money(data.loanBook.disbursedPaise)} />
            <Stat label={t('overview.outstanding')} value={i.money(data.loanBook.outstandingPrincipalPaise)} />
            <Stat
              label={t('overview.arrears')}
              value={i.money(arrearsPaise)}
              tone={arrearsPaise > 0 ? 'red' : undefined}
            />
          </div>
          <h3>{t('overview.arrears')}</h3>
          {arrearsPaise > 0 && (
            <BarChart
              title={t('overview.arrears')}
              description={data.loanBook.arrears.map((b) => `${b.bucket}: ${b.instalments}`).join('; ')}
              labels={data.loanBook.arrears.map((b) => b.bucket)}
              series={[
                {
                  name: t('overview.arrears'),
                  colour: COLOURS.amber,
                  values: data.loanBook.arrears.map((b) => b.amountPaise),
                },
              ]}
              format={compactMoney}
            />
          )}
          <table className="compact">
            <thead>
              <tr>
                <th scope="col">{t('overview.bucket')}</th>
                <th scope="col" className="num">
                  {t('overview.instalments')}
                </th>
                <th scope="col" className="num">
                  {t('overview.activeLoans')}
                </th>
                <th scope="col" className="num">
                  {t('common.amount')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.loanBook.arrears.map((b) => (
                <tr key={b.bucket}>
                  <th scope="row">{b.bucket}</th>
                  <td className="num">{i.number(b.instalments)}</td>
                  <td className="num">{i.number(b.loans)}</td>
                  <td className="num">{i.money(b.amountPaise)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title={t('overview.sync')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('overview.platform')}</th>
                <th scope="col" className="num">
                  {t('overview.accounts')}
                </th>
                <th scope="col">{t('overview.lastSync')}</th>
                <th scope="col" className="num">
                  {t('overview.stale')}
                </th>
                <th scope="col" className="num">
                  {t('overview.trips24h')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.syncHealth.map((s) => (
                <tr key={s.slug}>
                  <th scope="row">
                    {s.name} {!s.enabled && <Badge value="closed" label={t('common.disabled')} />}
                  </th>
                  <td className="num">{i.number(s.connectedAccounts)}</td>
                  <td>{s.lastSyncedAt ? i.dateTime(s.lastSyncedAt) : t('overview.never')}</td>
                  <td className="num">
                    {s.staleAccounts > 0 ? <Badge value="overdue" label={i.number(s.staleAccounts)} /> : 0}
                  </td>
                  <td className="num">{i.number(s.tripsLast24h)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">
            {t('overview.reconciliation')}:{' '}
            {data.lastReconciliation ? (
              <>
                <Badge
                  value={data.lastReconciliation.status}
                  label={i.word('status', data.lastReconciliation.status)}
                />{' '}
                {i.dateTime(data.lastReconciliation.checkedAt)}
              </>
            ) : (
              t('overview.never')
            )}
          </p>
        </Card>
      </div>
    </>
  );
}
