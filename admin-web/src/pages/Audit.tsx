import { useEffect, useState, type FormEvent } from 'react';
import { api, query } from '../api';
import { Badge, Card, ErrorBox, Loading, messageOf, shortId, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { useRouter } from '../router';

interface Entry {
  id: number;
  occurredAt: string;
  actorKind: string;
  actorId: string | null;
  action: string;
  outcome: string;
  targetKind: string | null;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}
const OUTCOMES = ['succeeded', 'refused', 'failed'];

interface Page {
  entries: Entry[];
  nextCursor: string | null;
}

export function Audit() {
  const i = useI18n();
  const { t } = i;
  const { search, navigate } = useRouter();
  const filters = {
    action: search.get('action') ?? '',
    targetId: search.get('targetId') ?? '',
    outcome: search.get('outcome') ?? '',
  };
  const [form, setForm] = useState(filters);
  const { data, error, reload } = useLoad(
    () => api<Page>(`/v1/admin/audit${query({ ...filters, limit: 50 })}`),
    [filters.action, filters.targetId, filters.outcome],
  );
  const [more, setMore] = useState<Page | null>(null);
  const [moreError, setMoreError] = useState<string>();
  useEffect(() => setMore(null), [filters.action, filters.targetId, filters.outcome]);
  const entries = [...(data?.entries ?? []), ...(more?.entries ?? [])];
  const next = more ? more.nextCursor : data?.nextCursor;

  function submit(e: FormEvent) {
    e.preventDefault();
    navigate(`/audit${query({ action: form.action.trim(), targetId: form.targetId.trim(), outcome: form.outcome })}`, {
      replace: true,
    });
  }
  async function loadMore() {
    try {
      const page = await api<Page>(`/v1/admin/audit${query({ ...filters, limit: 50, cursor: next })}`);
      setMore((m) => ({ entries: [...(m?.entries ?? []), ...page.entries], nextCursor: page.nextCursor }));
    } catch (err) {
      setMoreError(messageOf(err));
    }
  }

  return (
    <>
      <header className="page-head">
        <h1>{t('audit.title')}</h1>
      </header>
      <form className="filters" onSubmit={submit}>
        <label>
          {t('audit.action')}
          <input value={form.action} maxLength={120} onChange={(e) => setForm({ ...form, action: e.target.value })} />
        </label>
        <label>
          {t('audit.target')}
          <input
            value={form.targetId}
            maxLength={100}
            onChange={(e) => setForm({ ...form, targetId: e.target.value })}
          />
        </label>
        <label>
          {t('audit.outcome')}
          <select value={form.outcome} onChange={(e) => setForm({ ...form, outcome: e.target.value })}>
            <option value="">{t('common.all')}</option>
            {OUTCOMES.map((outcome) => (
              <option key={outcome} value={outcome}>
                {i.word('outcome', outcome)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorBox message={error} onRetry={reload} />
      <ErrorBox message={moreError} />
      <Card>
        {!data ? (
          <Loading />
        ) : entries.length === 0 ? (
          <p className="muted">{t('common.none')}</p>
        ) : (
          <table className="audit">
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.outcome')}</th>
                <th scope="col">{t('audit.target')}</th>
                <th scope="col">{t('audit.ip')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{i.dateTime(e.occurredAt)}</td>
                  <td className="nowrap">
                    {i.word('actor', e.actorKind)} {e.actorId ? <code>{shortId(e.actorId)}</code> : null}
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    <Badge value={e.outcome} label={i.word('outcome', e.outcome)} />
                  </td>
                  <td>{e.targetId ? <code>{e.targetId.length > 20 ? shortId(e.targetId) : e.targetId}</code> : '—'}</td>
                  <td className="nowrap">{e.ip ?? '—'}</td>
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
