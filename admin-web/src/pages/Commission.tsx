import { useState } from 'react';
import { api, apiResponse, query } from '../api';
import { Chart } from '../components/Charts';
import { Card, ErrorBox, Loading, messageOf, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { useRouter } from '../router';

interface MonthReport {
  month: string;
  platforms: Array<{ slug: string; name: string; commissionPaise: number; purchases: number; workers: number }>;
  commissionPaise: number;
  purchasesInMonth: number;
  revenuePaise: number;
  marginPaise: number;
}

const PALETTE = ['#0f766e', '#0284c7', '#7c3aed', '#db2777', '#d97706', '#65a30d', '#475569'];

function istMonth(offset: number): string {
  const now = new Date(Date.now() + 5.5 * 3_600_000);
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return d.toISOString().slice(0, 7);
}

export function Commission() {
  const i = useI18n();
  const { t } = i;
  const { search, navigate } = useRouter();
  const from = search.get('from') ?? istMonth(-5);
  const to = search.get('to') ?? istMonth(0);
  const { data, error, reload } = useLoad(
    () => api<{ months: MonthReport[] }>(`/v1/admin/commission/months${query({ from, to })}`),
    [from, to],
  );
  const [downloadError, setDownloadError] = useState<string>();

  const setRange = (next: { from?: string; to?: string }) =>
    navigate(`/commission${query({ from: next.from ?? from, to: next.to ?? to })}`, { replace: true });

  async function download() {
    setDownloadError(undefined);
    try {
      const response = await apiResponse(`/v1/admin/commission/export.csv${query({ from, to })}`);
      const name =
        /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'commission.csv';
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setDownloadError(messageOf(err));
    }
  }

  const months = data?.months ?? [];
  const platformNames = [...new Map(months.flatMap((m) => m.platforms.map((p) => [p.slug, p.name]))).entries()];
  const monthLabel = (m: string) =>
    new Intl.DateTimeFormat(i.locale, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${m}-01`));
  const compact = (paise: number) =>
    new Intl.NumberFormat(i.locale, { style: 'currency', currency: 'INR', notation: 'compact' }).format(paise / 100);

  return (
    <>
      <header className="page-head">
        <h1>{t('commission.title')}</h1>
      </header>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('commission.from')}
          <input
            type="month"
            value={from}
            max={to}
            onChange={(e) => e.target.value && setRange({ from: e.target.value })}
          />
        </label>
        <label>
          {t('commission.to')}
          <input
            type="month"
            value={to}
            min={from}
            onChange={(e) => e.target.value && setRange({ to: e.target.value })}
          />
        </label>
        <button type="button" onClick={() => void download()}>
          {t('commission.export')}
        </button>
      </form>
      <ErrorBox message={error} onRetry={reload} />
      <ErrorBox message={downloadError} />
      {!data ? (
        <Loading />
      ) : (
        <>
          <Card title={t('commission.chart')}>
            <Chart
              kind="stacked"
              title={t('commission.chart')}
              summary={t('commission.chartSummary')}
              labels={months.map((m) => monthLabel(m.month))}
              timeAxis
              xLabel={t('commission.month')}
              yLabel={t('commission.axisAmount')}
              formatValue={i.money}
              dataTable={false}
              series={[
                ...platformNames.map(([slug, name], index) => ({
                  name,
                  colour: PALETTE[index % PALETTE.length]!,
                  values: months.map((m) => m.platforms.find((p) => p.slug === slug)?.commissionPaise ?? 0),
                })),
                {
                  name: t('commission.margin'),
                  colour: '#cbd5e1',
                  values: months.map((m) => Math.max(0, m.marginPaise)),
                },
              ]}
              formatAxis={compact}
            />
          </Card>
          <Card>
            <table className="commission">
              <thead>
                <tr>
                  <th scope="col">{t('commission.month')}</th>
                  {platformNames.map(([slug, name]) => (
                    <th scope="col" key={slug} className="num">
                      {name}
                    </th>
                  ))}
                  <th scope="col" className="num">
                    {t('commission.total')}
                  </th>
                  <th scope="col" className="num">
                    {t('commission.purchases')}
                  </th>
                  <th scope="col" className="num">
                    {t('commission.revenue')}
                  </th>
                  <th scope="col" className="num">
                    {t('commission.margin')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {months.map((m) => (
                  <tr key={m.month}>
                    <th scope="row">{monthLabel(m.month)}</th>
                    {platformNames.map(([slug]) => (
                      <td key={slug} className="num">
                        {i.money(m.platforms.find((p) => p.slug === slug)?.commissionPaise ?? 0)}
                      </td>
                    ))}
                    <td className="num">{i.money(m.commissionPaise)}</td>
                    <td className="num">{i.number(m.purchasesInMonth)}</td>
                    <td className="num">{i.money(m.revenuePaise)}</td>
                    <td className="num">
                      <strong>{i.money(m.marginPaise)}</strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </>
      )}
    </>
  );
}
