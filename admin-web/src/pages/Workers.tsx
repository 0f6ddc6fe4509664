import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, query } from '../api';
import { Badge, Card, ErrorBox, Loading, Stat, StatusBadge, shortId, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { Link, useRouter } from '../router';

interface WorkerSummary {
  id: string;
  phone: string | null;
  email: string | null;
  displayName: string | null;
  createdAt: string;
  erased: boolean;
  balancePaise: number;
  heldPaise: number;
  spendablePaise: number;
}

interface WorkerDetailData {
  worker: WorkerSummary;
  insurance: { status: string; optedInAt: string | null } | null;
  plans: Array<{
    id: string;
    planCode: string;
    name: string;
    pricePaise: number;
    slots: number;
    purchasedAt: string;
    expiresAt: string;
    active: boolean;
  }>;
  platforms: Array<{
    id: string;
    slug: string;
    name: string;
    status: string;
    connectedAt: string;
    lastSyncedAt: string | null;
    earnedPaise: number;
  }>;
  loans: Array<{
    id: string;
    amountPaise: number;
    status: string;
    tenureMonths: number;
    emiPaise: number;
    annualRateBps: number;
    createdAt: string;
    outstandingPrincipalPaise: number;
    overdueInstalments: number;
  }>;
  claims: Array<{
    id: string;
    type: string;
    incidentOn: string;
    description: string;
    payoutPaise: number;
    status: string;
    createdAt: string;
  }>;
  withdrawals: Array<{ id: string; amountPaise: number; status: string; createdAt: string; paidAt: string | null }>;
}

export function Workers() {
  const i = useI18n();
  const { t } = i;
  const { search, navigate } = useRouter();
  const q = search.get('q') ?? '';
  const [text, setText] = useState(q);
  const { data, error, loading, reload } = useLoad(
    () => api<{ items: WorkerSummary[]; nextCursor: string | null }>(`/v1/admin/workers${query({ q, limit: 25 })}`),
    [q],
  );
  const [more, setMore] = useState<{ items: WorkerSummary[]; nextCursor: string | null } | null>(null);
  useEffect(() => setMore(null), [q]);

  function submit(e: FormEvent) {
    e.preventDefault();
    setMore(null);
    navigate(`/workers${query({ q: text.trim() })}`, { replace: true });
  }

  async function loadMore() {
    const cursor = more?.nextCursor ?? data?.nextCursor;
    if (!cursor) return;
    const next = await api<{ items: WorkerSummary[]; nextCursor: string | null }>(
      `/v1/admin/workers${query({ q, limit: 25, cursor })}`,
    );
    setMore((m) => ({ items: [...(m?.items ?? []), ...next.items], nextCursor: next.nextCursor }));
  }

  const items = [...(data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : data?.nextCursor;
  return (
    <>
      <header className="page-head">
        <h1>{t('workers.title')}</h1>
      </header>
      <form className="search" role="search" onSubmit={submit}>
        <label>
          {t('workers.search')}
          <input type="search" value={text} maxLength={100} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorBox message={error} onRetry={reload} />
      <Card>
        {loading && !data ? (
          <Loading />
        ) : items.length === 0 ? (
          <p className="muted">{t('common.none')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('workers.name')}</th>
                <th scope="col">{t('workers.phone')}</th>
                <th scope="col">{t('workers.email')}</th>
                <th scope="col" className="num">
                  {t('workers.balance')}
                </th>
                <th scope="col" className="num">
                  {t('workers.spendable')}
                </th>
                <th scope="col">{t('workers.joined')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={w.id}>
                  <td>
                    <Link to={`/workers/${w.id}`}>{w.displayName ?? shortId(w.id)}</Link>{' '}
                    {w.erased && <Badge value="closed" label={t('workers.erased')} />}
                  </td>
                  <td className="nowrap">{w.phone ?? '—'}</td>
                  <td>{w.email ?? '—'}</td>
                  <td className="num">{i.money(w.balancePaise)}</td>
                  <td className="num">{i.money(w.spendablePaise)}</td>
                  <td className="nowrap">{i.date(w.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {nextCursor && (
          <button type="button" className="secondary" onClick={() => void loadMore()}>
            {t('common.more')}
          </button>
        )}
      </Card>
    </>
  );
}

function Section({ title, empty, children }: { title: string; empty: boolean; children: ReactNode }) {
  const { t } = useI18n();
  return <Card title={title}>{empty ? <p className="muted">{t('common.none')}</p> : children}</Card>;
}

export function WorkerDetail({ id }: { id: string }) {
  const i = useI18n();
  const { t } = i;
  const { data, error, reload } = useLoad(() => api<WorkerDetailData>(`/v1/admin/workers/${id}`), [id]);
  if (!data) return error ? <ErrorBox message={error} onRetry={reload} /> : <Loading />;
  const w = data.worker;
  return (
    <>
      <p>
        <Link to="/workers">← {t('workers.title')}</Link>
      </p>
      <header className="page-head">
        <h1>{w.displayName ?? w.phone ?? shortId(w.id)}</h1>
        {w.erased && <Badge value="closed" label={t('workers.erased')} />}
        <span className="muted">
          {w.phone ?? ''} {w.email ?? ''} · <code>{w.id}</code>
        </span>
      </header>
      <div className="stats">
        <Stat label={t('workers.balance')} value={i.money(w.balancePaise)} />
        <Stat label={t('workers.held')} value={i.money(w.heldPaise)} />
        <Stat label={t('workers.spendable')} value={i.money(w.spendablePaise)} />
        <Stat
          label={t('workers.insurance')}
          value={data.insurance ? i.word('status', data.insurance.status) : t('workers.notInsured')}
        />
      </div>
      <div className="grid-2">
        <Section title={t('workers.plans')} empty={data.plans.length === 0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('workers.plans')}</th>
                <th scope="col" className="num">
                  {t('common.amount')}
                </th>
                <th scope="col" className="num">
                  {t('workers.slots')}
                </th>
                <th scope="col">{t('common.created')}</th>
                <th scope="col">{t('workers.expires')}</th>
              </tr>
            </thead>
            <tbody>
              {data.plans.map((p) => (
                <tr key={p.id}>
                  <td>
                    {p.name} {p.active ? <Badge value="active" label={i.word('status', 'active')} /> : null}
                  </td>
                  <td className="num">{i.money(p.pricePaise)}</td>
                  <td className="num">{p.slots}</td>
                  <td className="nowrap">{i.date(p.purchasedAt)}</td>
                  <td className="nowrap">{i.date(p.expiresAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
        <Section title={t('workers.platforms')} empty={data.platforms.length === 0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('overview.platform')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('overview.lastSync')}</th>
                <th scope="col" className="num">
                  {t('workers.earned')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.platforms.map((p) => (
                <tr key={p.id}>
                  <td>{p.name}</td>
                  <td>
                    <StatusBadge status={p.status} />
                  </td>
                  <td className="nowrap">{p.lastSyncedAt ? i.dateTime(p.lastSyncedAt) : t('overview.never')}</td>
                  <td className="num">{i.money(p.earnedPaise)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      </div>
      <Section title={t('workers.loans')} empty={data.loans.length === 0}>
        <table>
          <thead>
            <tr>
              <th scope="col" className="num">
                {t('common.amount')}
              </th>
              <th scope="col">{t('common.status')}</th>
              <th scope="col" className="num">
                {t('workers.emi')}
              </th>
              <th scope="col" className="num">
                {t('workers.outstanding')}
              </th>
              <th scope="col">{t('common.created')}</th>
            </tr>
          </thead>
          <tbody>
            {data.loans.map((l) => (
              <tr key={l.id}>
                <td className="num">{i.money(l.amountPaise)}</td>
                <td>
                  <StatusBadge status={l.status} />{' '}
                  {l.overdueInstalments > 0 && (
                    <Badge value="overdue" label={t('workers.overdueInstalments', { n: l.overdueInstalments })} />
                  )}
                </td>
                <td className="num">
                  {i.money(l.emiPaise)} × {l.tenureMonths} @ {(l.annualRateBps / 100).toFixed(2)}%
                </td>
                <td className="num">{i.money(l.outstandingPrincipalPaise)}</td>
                <td className="nowrap">{i.date(l.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={t('workers.claims')} empty={data.claims.length === 0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('common.type')}</th>
              <th scope="col">{t('workers.incident')}</th>
              <th scope="col">{t('workers.description')}</th>
              <th scope="col" className="num">
                {t('workers.payout')}
              </th>
              <th scope="col">{t('common.status')}</th>
            </tr>
          </thead>
          <tbody>
            {data.claims.map((c) => (
              <tr key={c.id}>
                <td>{i.word('claimType', c.type)}</td>
                <td className="nowrap">{i.date(c.incidentOn)}</td>
                <td className="wrap">{c.description}</td>
                <td className="num">{i.money(c.payoutPaise)}</td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={t('workers.withdrawals')} empty={data.withdrawals.length === 0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('common.id')}</th>
              <th scope="col" className="num">
                {t('common.amount')}
              </th>
              <th scope="col">{t('common.status')}</th>
              <th scope="col">{t('common.created')}</th>
              <th scope="col">{t('status.paid')}</th>
            </tr>
          </thead>
          <tbody>
            {data.withdrawals.map((wd) => (
              <tr key={wd.id}>
                <td>
                  <Link to={`/requests/${wd.id}`}>
                    <code>{shortId(wd.id)}</code>
                  </Link>
                </td>
                <td className="num">{i.money(wd.amountPaise)}</td>
                <td>
                  <StatusBadge status={wd.status} />
                </td>
                <td className="nowrap">{i.dateTime(wd.createdAt)}</td>
                <td className="nowrap">{i.dateTime(wd.paidAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}
