import { useEffect, useMemo, useRef, useState } from 'react';
import { api, query } from '../api';
import { hasRole, usePortal } from '../App';
import {
  Badge,
  Card,
  ErrorBox,
  Loading,
  StatusBadge,
  messageOf,
  shortId,
  useLiveReload,
  useLoad,
} from '../components/ui';
import { useI18n } from '../i18n';
import { Link, useRouter } from '../router';
import type { BulkResult, RequestSummary, RequestType } from '../types';

const TYPES: RequestType[] = ['withdrawal', 'loan', 'claim', 'deletion'];
const STATUSES = ['pending_approval', 'approved', 'paid', 'active', 'rejected', 'cancelled', 'expired'];
const BULK_TYPES = new Set<RequestType>(['withdrawal', 'claim']);
const LIVE_TYPES = new Set(['request.updated', 'withdrawal.status_changed', 'request.status_changed']);

/** An SLA badge: on time (with the time left), overdue, or closed. */
export function SlaBadge({ r }: { r: RequestSummary }) {
  const { word, dateTime } = useI18n();
  const title = r.slaDueAt ? dateTime(r.slaDueAt) : undefined;
  return (
    <span title={title}>
      <Badge value={r.slaState} label={word('sla', r.slaState)} />
    </span>
  );
}

export function Inbox() {
  const i = useI18n();
  const { t } = i;
  const { me, live } = usePortal();
  const { search, navigate } = useRouter();
  const canDecide = hasRole(me, 'approver');

  const filters = {
    type: search.get('type') ?? '',
    status: search.get('status') ?? 'pending_approval',
    sla: search.get('sla') ?? '',
    claimed: search.get('claimed') ?? '',
    minAge: search.get('minAge') ?? '',
  };
  const setFilter = (name: keyof typeof filters, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    const text = next.toString();
    navigate(`/inbox${text ? `?${text}` : ''}`, { replace: true });
  };

  const { data, error, loading, reload } = useLoad(
    () =>
      api<{ items: RequestSummary[]; nextCursor: string | null }>(
        `/v1/admin/requests${query({
          type: filters.type || undefined,
          status: filters.status,
          sla: filters.sla || undefined,
          claimed: filters.claimed || undefined,
          minAgeMinutes: filters.minAge || undefined,
          limit: 100,
        })}`,
      ),
    [filters.type, filters.status, filters.sla, filters.claimed, filters.minAge],
  );
  // Which requests changed live since the page opened (or the filters changed): a hint, the list itself reloads.
  const [changed, setChanged] = useState<Set<string>>(new Set());
  const filterKey = `${filters.type}|${filters.status}|${filters.sla}|${filters.claimed}|${filters.minAge}`;
  useEffect(() => setChanged(new Set()), [filterKey]);
  useLiveReload(
    live,
    reload,
    (type) => LIVE_TYPES.has(type),
    (event) => {
      const id = event.data.requestId ?? event.data.withdrawalId;
      if (typeof id === 'string') setChanged((s) => (s.has(id) ? s : new Set(s).add(id)));
    },
  );
  const changes = changed.size;

  // Requests that arrived while the page was open get a "New" badge (not the ones there on first load).
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  useEffect(() => {
    seen.current = null;
    setFresh(new Set());
  }, [filterKey]);
  useEffect(() => {
    if (!data) return;
    const ids = data.items.map((r) => r.id);
    const before = seen.current;
    if (before) {
      const added = ids.filter((id) => !before.has(id));
      if (added.length > 0) setFresh((f) => new Set([...f, ...added]));
    }
    seen.current = new Set([...(before ?? []), ...ids]);
  }, [data]);

  // Selected rows are kept even when a live update drops them from the list: the admin chose them, and the
  // server re-checks each one and says which no longer can be decided. A selection belongs to the list it was made
  // in, so changing the filters clears it (rows that merely fell outside the new filters have not changed).
  const [selected, setSelected] = useState<Map<string, RequestSummary>>(new Map());
  useEffect(() => setSelected(new Map()), [filterKey]);
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const [bulk, setBulk] = useState<{ result: BulkResult; rows: Map<string, RequestSummary> } | null>(null);
  const [actionError, setActionError] = useState<string>();
  const [busy, setBusy] = useState(false);

  // Further pages (oldest first, so the next page is newer items); dropped whenever the first page reloads.
  const [more, setMore] = useState<{ items: RequestSummary[]; nextCursor: string | null } | null>(null);
  useEffect(() => setMore(null), [data]);
  const nextCursor = more ? more.nextCursor : data?.nextCursor;
  async function loadMore() {
    if (!nextCursor) return;
    try {
      const page = await api<{ items: RequestSummary[]; nextCursor: string | null }>(
        `/v1/admin/requests${query({
          type: filters.type || undefined,
          status: filters.status,
          sla: filters.sla || undefined,
          claimed: filters.claimed || undefined,
          minAgeMinutes: filters.minAge || undefined,
          limit: 100,
          cursor: nextCursor,
        })}`,
      );
      setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
    } catch (err) {
      setActionError(messageOf(err));
    }
  }
  const items = useMemo(() => [...(data?.items ?? []), ...(more?.items ?? [])], [data, more]);
  // A selected row missing from the list is marked changed only when a live event named it; otherwise it simply
  // is not among the rows loaded now (a further page dropped by a reload) and is shown as it was selected.
  const rows = useMemo(() => {
    const present = new Set(items.map((r) => r.id));
    const missing = [...selected.values()]
      .filter((r) => !present.has(r.id))
      .map((r) => ({ ...r, stale: true, changed: changed.has(r.id) }));
    return [...items.map((r) => ({ ...r, stale: false, changed: false })), ...missing];
  }, [items, selected, changed]);

  const selectable = (r: RequestSummary) => canDecide && BULK_TYPES.has(r.type) && r.status === 'pending_approval';
  const toggle = (r: RequestSummary) =>
    setSelected((s) => {
      const next = new Map(s);
      if (next.has(r.id)) next.delete(r.id);
      else next.set(r.id, r);
      return next;
    });
  const allSelectable = items.filter(selectable);
  const allSelected = allSelectable.length > 0 && allSelectable.every((r) => selected.has(r.id));

  async function decideBulk(decision: 'approve' | 'reject') {
    setActionError(undefined);
    if (decision === 'reject' && !reason.trim()) {
      setActionError(t('detail.reasonRequired'));
      return;
    }
    setBusy(true);
    const chosen = new Map(selected);
    try {
      const result = await api<BulkResult>('/v1/admin/requests/bulk-decision', {
        body: {
          ids: [...chosen.keys()],
          decision,
          ...(reason.trim() ? { reason: reason.trim() } : {}),
          ...(comment.trim() ? { comment: comment.trim() } : {}),
        },
      });
      setBulk({ result, rows: chosen });
      setSelected(new Map());
      setReason('');
      setComment('');
      reload();
    } catch (err) {
      setActionError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function claim(r: RequestSummary, release: boolean) {
    setActionError(undefined);
    try {
      await api(`/v1/admin/requests/${r.id}/claim`, { method: release ? 'DELETE' : 'POST' });
      reload();
    } catch (err) {
      setActionError(messageOf(err));
    }
  }

  return (
    <>
      <header className="page-head">
        <h1>{t('inbox.title')}</h1>
        {changes > 0 && (
          <span className="notice" role="status">
            {t('inbox.new', { n: changes })}
          </span>
        )}
      </header>
      <form className="filters" aria-label={t('inbox.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('inbox.type')}
          <select value={filters.type} onChange={(e) => setFilter('type', e.target.value)}>
            <option value="">{t('common.all')}</option>
            {TYPES.map((type) => (
              <option key={type} value={type}>
                {i.word('type', type)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('inbox.status')}
          <select value={filters.status} onChange={(e) => setFilter('status', e.target.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {i.word('status', s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('inbox.sla')}
          <select value={filters.sla} onChange={(e) => setFilter('sla', e.target.value)}>
            <option value="">{t('common.all')}</option>
            <option value="on_time">{t('sla.on_time')}</option>
            <option value="overdue">{t('sla.overdue')}</option>
          </select>
        </label>
        <label>
          {t('inbox.claimed')}
          <select value={filters.claimed} onChange={(e) => setFilter('claimed', e.target.value)}>
            <option value="">{t('common.all')}</option>
            <option value="me">{t('inbox.claimedMe')}</option>
            <option value="nobody">{t('inbox.claimedNobody')}</option>
          </select>
        </label>
        <label>
          {t('inbox.minAge')}
          <input
            type="number"
            min={0}
            inputMode="numeric"
            value={filters.minAge}
            onChange={(e) => setFilter('minAge', e.target.value)}
          />
        </label>
      </form>

      <ErrorBox message={error} onRetry={reload} />
      <ErrorBox message={actionError} />

      {canDecide && (
        <section className="bulkbar" aria-label={t('inbox.selected', { n: selected.size })}>
          <strong>{t('inbox.selected', { n: selected.size })}</strong>
          <label>
            {t('inbox.reason')}
            <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </label>
          <label>
            {t('detail.comment')}
            <input value={comment} maxLength={1000} onChange={(e) => setComment(e.target.value)} />
          </label>
          <button type="button" disabled={busy || selected.size === 0} onClick={() => void decideBulk('approve')}>
            {t('inbox.bulkApprove')}
          </button>
          <button
            type="button"
            className="danger"
            disabled={busy || selected.size === 0}
            onClick={() => void decideBulk('reject')}
          >
            {t('inbox.bulkReject')}
          </button>
          <span className="muted small">{t('inbox.bulkOnly')}</span>
        </section>
      )}

      {bulk && (
        <Card
          title={t('inbox.results', { ok: bulk.result.succeeded, failed: bulk.result.failed })}
          actions={
            <button type="button" className="link" onClick={() => setBulk(null)}>
              {t('common.close')}
            </button>
          }
        >
          <table aria-label={t('inbox.results', { ok: bulk.result.succeeded, failed: bulk.result.failed })}>
            <thead>
              <tr>
                <th scope="col">{t('common.id')}</th>
                <th scope="col">{t('common.worker')}</th>
                <th scope="col" className="num">
                  {t('common.amount')}
                </th>
                <th scope="col">{t('common.status')}</th>
              </tr>
            </thead>
            <tbody>
              {bulk.result.results.map((r) => {
                const row = bulk.rows.get(r.id);
                return (
                  <tr key={r.id} className={r.ok ? 'ok' : 'failed'}>
                    <td>
                      <Link to={`/requests/${r.id}`}>
                        <code>{shortId(r.id)}</code>
                      </Link>
                    </td>
                    <td>{row?.workerName ?? shortId(row?.workerId ?? '')}</td>
                    <td className="num">{row?.amountPaise != null ? i.money(row.amountPaise) : '—'}</td>
                    <td>
                      {r.ok ? (
                        <StatusBadge status={r.status ?? 'approved'} />
                      ) : (
                        <>
                          <Badge
                            value="failed"
                            label={(r.error && i.maybe('error', r.error.code)) ?? t('error.unknown')}
                          />{' '}
                          {/* The server's sentence is English: shown to English readers as the detail. */}
                          {i.lang === 'en' && r.error?.message}
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      )}

      <Card>
        {loading && !data ? (
          <Loading />
        ) : rows.length === 0 ? (
          <p className="muted">{t('inbox.empty')}</p>
        ) : (
          <table className="inbox">
            <thead>
              <tr>
                <th scope="col" className="check">
                  {canDecide && (
                    <input
                      type="checkbox"
                      aria-label={t('inbox.selectAll')}
                      checked={allSelected}
                      disabled={allSelectable.length === 0}
                      onChange={() =>
                        setSelected((s) => {
                          const next = new Map(s);
                          for (const r of allSelectable) {
                            if (allSelected) next.delete(r.id);
                            else next.set(r.id, r);
                          }
                          return next;
                        })
                      }
                    />
                  )}
                </th>
                <th scope="col">{t('common.type')}</th>
                <th scope="col">{t('common.worker')}</th>
                <th scope="col" className="num">
                  {t('common.amount')}
                </th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('inbox.sla')}</th>
                <th scope="col">{t('inbox.due')}</th>
                <th scope="col">{t('inbox.approvals')}</th>
                <th scope="col">{t('inbox.claimed')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const who = r.workerName ?? shortId(r.workerId);
                const label = `${i.word('type', r.type)} ${who} ${r.amountPaise != null ? i.money(r.amountPaise) : ''}`;
                const mine = r.claimedBy?.adminId === me.id;
                return (
                  <tr key={r.id} className={r.stale ? 'stale' : r.slaState === 'overdue' ? 'overdue' : undefined}>
                    <td className="check">
                      {canDecide && (selectable(r) || selected.has(r.id)) && (
                        <input
                          type="checkbox"
                          aria-label={`${t('inbox.select')} ${label}`}
                          checked={selected.has(r.id)}
                          onChange={() => toggle(r)}
                        />
                      )}
                    </td>
                    <td>
                      {i.word('type', r.type)}{' '}
                      {fresh.has(r.id) && !r.stale && <Badge value="approved" label={t('inbox.newBadge')} />}
                    </td>
                    <td>
                      <Link to={`/workers/${r.workerId}`}>{who}</Link>
                    </td>
                    <td className="num">{r.amountPaise != null ? i.money(r.amountPaise) : '—'}</td>
                    <td>
                      {r.changed ? (
                        <Badge value="refused" label={t('inbox.changed')} />
                      ) : r.stale ? (
                        <>
                          <StatusBadge status={r.status} /> <span className="muted small">{t('inbox.notShown')}</span>
                        </>
                      ) : (
                        <StatusBadge status={r.status} />
                      )}
                    </td>
                    <td>
                      <SlaBadge r={r} />
                    </td>
                    <td className="nowrap">{i.shortDateTime(r.slaDueAt)}</td>
                    <td>
                      {r.approvalsRequired > 0 ? `${r.approvalsGiven}/${r.approvalsRequired}` : '—'}
                      {r.seniorRequired && (
                        <span title={t('inbox.seniorRequired')}>
                          {' '}
                          <span aria-hidden="true">★</span>
                          <span className="visually-hidden">{t('inbox.seniorRequired')}</span>
                        </span>
                      )}
                    </td>
                    <td>{r.claimedBy ? t('inbox.claimedBy', { name: r.claimedBy.username }) : '—'}</td>
                    <td className="actions">
                      <Link to={`/requests/${r.id}`} aria-label={`${t('inbox.open')} ${label}`}>
                        {t('inbox.open')}
                      </Link>
                      {canDecide && r.status === 'pending_approval' && !r.stale && (!r.claimedBy || mine) && (
                        <button
                          type="button"
                          className="link"
                          aria-label={`${mine ? t('inbox.release') : t('inbox.claim')} ${label}`}
                          onClick={() => void claim(r, mine)}
                        >
                          {mine ? t('inbox.release') : t('inbox.claim')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
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
