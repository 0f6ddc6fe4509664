import { useState } from 'react';
import { api, query } from '../api';
import { Badge, Card, ErrorBox, Loading, messageOf, useLoad } from '../components/ui';
import { useI18n } from '../i18n';

interface Report {
  id: string;
  status: 'clean' | 'drift';
  checkedAt: string;
  counts: { journals: number; postings: number; accounts: number; pendingHolds: number };
  findings: Array<{ check: string; subject: string; detail: Record<string, string | number> }>;
}
interface Page {
  items: Report[];
  nextCursor: string | null;
}

export function Reconciliation() {
  const i = useI18n();
  const { t } = i;
  const { data, error, reload } = useLoad(() => api<Page>('/v1/admin/ledger/reconciliations?limit=20'), []);
  const [more, setMore] = useState<Page | null>(null);
  const [moreError, setMoreError] = useState<string>();
  const items = [...(data?.items ?? []), ...(more?.items ?? [])];
  const next = more ? more.nextCursor : data?.nextCursor;
  async function loadMore() {
    try {
      const page = await api<Page>(`/v1/admin/ledger/reconciliations${query({ limit: 20, before: next })}`);
      setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
    } catch (err) {
      setMoreError(messageOf(err));
    }
  }
  return (
    <>
      <header className="page-head">
        <h1>{t('recon.title')}</h1>
      </header>
      <ErrorBox message={error} onRetry={reload} />
      <ErrorBox message={moreError} />
      <Card>
        {!data ? (
          <Loading />
        ) : items.length === 0 ? (
          <p className="muted">{t('common.none')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('recon.checked')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('recon.counts')}</th>
                <th scope="col">{t('recon.findings')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <td className="nowrap">{i.dateTime(r.checkedAt)}</td>
                  <td>
                    <Badge value={r.status} label={i.word('status', r.status)} />
                  </td>
                  <td className="small">
                    {t('recon.countsLine', {
                      journals: i.number(r.counts.journals),
                      postings: i.number(r.counts.postings),
                      accounts: i.number(r.counts.accounts),
                      holds: i.number(r.counts.pendingHolds),
                    })}
                  </td>
                  <td>
                    {r.findings.length === 0 ? (
                      <span className="muted">{t('recon.clean')}</span>
                    ) : (
                      <ul className="plain">
                        {r.findings.map((f, index) => (
                          <li key={index}>
                            <strong>{i.word('check', f.check)}</strong> <code>{f.subject}</code>{' '}
                            <code className="json">{JSON.stringify(f.detail)}</code>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {next && (
          <button type="button" className="secondary" onClick={() => void loadMore()}>
            {t('common.more')}
          </button>
        )}
      </Card>
    </>
  );
}
