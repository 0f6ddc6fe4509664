import { api } from '../api';
import { usePortal } from '../App';
import { Chart, Donut } from '../components/Charts';
import { Badge, Card, ErrorBox, Loading, Stat, useLiveReload, useLoad } from '../components/ui';
import { useI18n } from '../i18n';

export interface OverviewData {
  generatedAt: string;
  withdrawalsPerDay: Array<{ day: string; requested: number; requestedPaise: number; paid: number; paidPaise: number }>;
  requestsBySla: Array<{ type: string; onTime: number; escalated: number; expired: number }>;
  insurancePoolPaise: number;
  insurancePoolPerDay: Array<{ day: string; inPaise: number; outPaise: number; balancePaise: number }>;
  loanBook: {
    activeLoans: number;
    disbursedPaise: number;
    outstandingPrincipalPaise: number;
    principalByBucket: Array<{ bucket: string; principalPaise: number }>;
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
  const istDate = (d: string) => new Date(`${d}T00:00:00+05:30`);
  const dayLabel = (d: string) =>
    new Intl.DateTimeFormat(i.locale, { day: 'numeric', month: 'short', timeZone: 'Asia/Kolkata' }).format(istDate(d));
  const compactMoney = (paise: number) =>
    new Intl.NumberFormat(i.locale, {
      style: 'currency',
      currency: 'INR',
      notation: 'compact',
      maximumFractionDigits: 1,
    }).format(paise / 100);
  const sum = <T,>(rows: T[], of: (row: T) => number) => rows.reduce((total, row) => total + of(row), 0);

  const days = data.withdrawalsPerDay;
  const sla = data.requestsBySla;
  const onTime = sum(sla, (r) => r.onTime);
  const escalated = sum(sla, (r) => r.escalated);
  const expired = sum(sla, (r) => r.expired);

  const pool = data.insurancePoolPerDay;
  const book = data.loanBook;
  const arrearsPaise = sum(book.arrears, (b) => b.amountPaise);
  // "current", then the arrears buckets in the API's order; each arrears row beside its principal.
  const buckets = book.principalByBucket.map((b) => ({
    ...b,
    label:
      b.bucket === 'current' ? t('overview.notOverdue') : t('overview.days', { range: b.bucket.replace('-', '–') }),
    arrears: book.arrears.find((a) => a.bucket === b.bucket),
  }));
  const sync = data.syncHealth;

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
        <Stat label={t('overview.outstanding')} value={i.money(book.outstandingPrincipalPaise)} />
        <Stat label={t('overview.activeLoans')} value={i.number(book.activeLoans)} />
      </div>
      <div className="grid-2">
        <Card title={t('overview.withdrawals')}>
          <Chart
            title={t('overview.withdrawals')}
            summary={t('overview.withdrawalsSummary', {
              from: i.date(days[0]?.day),
              to: i.date(days.at(-1)?.day),
            })}
            labels={days.map((d) => dayLabel(d.day))}
            timeAxis
            tableLabels={days.map((d) => i.date(d.day))}
            series={[
              { name: t('overview.requested'), colour: COLOURS.sky, values: days.map((d) => d.requestedPaise) },
              { name: t('overview.paid'), colour: COLOURS.teal, values: days.map((d) => d.paidPaise) },
            ]}
            xLabel={t('overview.axisDay')}
            yLabel={t('overview.axisAmount')}
            formatAxis={compactMoney}
            formatValue={i.money}
            emptyNote={t('overview.noWithdrawals')}
          />
          <p className="muted small">
            {t('overview.requested')}: {i.number(sum(days, (d) => d.requested))} · {t('overview.paid')}:{' '}
            {i.number(sum(days, (d) => d.paid))}
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
        <Card title={t('overview.poolTitle')}>
          <div className="stats inline">
            <Stat
              label={t('overview.poolNow')}
              value={i.money(data.insurancePoolPaise)}
              tone={data.insurancePoolPaise < 0 ? 'red' : undefined}
            />
            <Stat label={t('overview.poolIn')} value={i.money(sum(pool, (d) => d.inPaise))} />
            <Stat label={t('overview.poolOut')} value={i.money(sum(pool, (d) => d.outPaise))} />
          </div>
          <Chart
            kind="line"
            title={t('overview.poolTitle')}
            summary={t('overview.poolSummary', {
              from: i.date(pool[0]?.day),
              to: i.date(pool.at(-1)?.day),
              first: i.money(pool[0]?.balancePaise ?? 0),
              last: i.money(pool.at(-1)?.balancePaise ?? 0),
            })}
            labels={pool.map((d) => dayLabel(d.day))}
            timeAxis
            tableLabels={pool.map((d) => i.date(d.day))}
            series={[
              { name: t('overview.poolBalance'), colour: COLOURS.teal, values: pool.map((d) => d.balancePaise) },
            ]}
            tableSeries={[
              { name: t('overview.poolInDay'), colour: COLOURS.sky, values: pool.map((d) => d.inPaise) },
              { name: t('overview.poolOutDay'), colour: COLOURS.red, values: pool.map((d) => d.outPaise) },
            ]}
            xLabel={t('overview.axisDay')}
            yLabel={t('overview.axisBalance')}
            formatAxis={compactMoney}
            formatValue={i.money}
            emptyNote={t('overview.poolEmpty')}
          />
        </Card>
        <Card title={t('overview.loanBook')}>
          <div className="stats inline">
            <Stat label={t('overview.disbursed')} value={i.money(book.disbursedPaise)} />
            <Stat label={t('overview.outstanding')} value={i.money(book.outstandingPrincipalPaise)} />
            <Stat
              label={t('overview.inArrears')}
              value={i.money(arrearsPaise)}
              tone={arrearsPaise > 0 ? 'red' : undefined}
            />
          </div>
          <h3>{t('overview.principalChart')}</h3>
          {/* Two stacked series so that "not overdue" and the arrears buckets get their own colour and legend. */}
          <Chart
            kind="stacked"
            title={t('overview.principalChart')}
            summary={t('overview.principalSummary')}
            labels={buckets.map((b) => b.label)}
            series={[
              {
                name: t('overview.notOverdue'),
                colour: COLOURS.teal,
                values: buckets.map((b) => (b.bucket === 'current' ? b.principalPaise : 0)),
              },
              {
                name: t('overview.overdue'),
                colour: COLOURS.amber,
                values: buckets.map((b) => (b.bucket === 'current' ? 0 : b.principalPaise)),
              },
            ]}
            xLabel={t('overview.bucket')}
            yLabel={t('overview.axisPrincipal')}
            formatAxis={compactMoney}
            formatValue={i.money}
            emptyNote={t('overview.noLoans')}
            dataTable={false}
          />
          <table className="compact wrap-head">
            <caption className="visually-hidden">{t('overview.principalChart')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('overview.bucket')}</th>
                <th scope="col" className="num">
                  {t('overview.principal')}
                </th>
                <th scope="col" className="num">
                  {t('overview.instalments')}
                </th>
                <th scope="col" className="num">
                  {t('overview.loans')}
                </th>
                <th scope="col" className="num">
                  {t('overview.amountDue')}
                </th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((b) => (
                <tr key={b.bucket}>
                  <th scope="row">{b.label}</th>
                  <td className="num">{i.money(b.principalPaise)}</td>
                  <td className="num">{b.arrears ? i.number(b.arrears.instalments) : '—'}</td>
                  <td className="num">{b.arrears ? i.number(b.arrears.loans) : '—'}</td>
                  <td className="num">{b.arrears ? i.money(b.arrears.amountPaise) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      </div>
      <Card title={t('overview.sync')}>
        <div className="stack">
          <Chart
            kind="stacked"
            title={t('overview.syncChart')}
            summary={t('overview.syncSummary')}
            labels={sync.map((s) => s.name)}
            series={[
              {
                name: t('overview.syncedRecently'),
                colour: COLOURS.teal,
                values: sync.map((s) => s.connectedAccounts - s.staleAccounts),
              },
              { name: t('overview.stale'), colour: COLOURS.amber, values: sync.map((s) => s.staleAccounts) },
            ]}
            xLabel={t('overview.platform')}
            yLabel={t('overview.axisAccounts')}
            formatAxis={i.number}
            integer
            emptyNote={t('overview.noAccounts')}
            dataTable={false}
          />
          <div>
            <table className="wrap-head">
              <caption className="visually-hidden">{t('overview.syncChart')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('overview.platform')}</th>
                  <th scope="col" className="num">
                    {t('overview.accounts')}
                  </th>
                  <th scope="col" className="num">
                    {t('overview.stale')}
                  </th>
                  <th scope="col">{t('overview.lastSync')}</th>
                  <th scope="col" className="num">
                    {t('overview.trips24h')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {sync.map((s) => (
                  <tr key={s.slug}>
                    <th scope="row">
                      {s.name} {!s.enabled && <Badge value="closed" label={t('common.disabled')} />}
                    </th>
                    <td className="num">{i.number(s.connectedAccounts)}</td>
                    <td className="num">
                      {s.staleAccounts > 0 ? <Badge value="overdue" label={i.number(s.staleAccounts)} /> : 0}
                    </td>
                    <td>{s.lastSyncedAt ? i.shortDateTime(s.lastSyncedAt) : t('overview.never')}</td>
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
          </div>
        </div>
      </Card>
    </>
  );
}
