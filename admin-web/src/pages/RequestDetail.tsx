import { useEffect, useState, type FormEvent } from 'react';
import { api, apiResponse } from '../api';
import { hasRole, usePortal } from '../App';
import { Badge, Card, ErrorBox, Loading, StatusBadge, messageOf, shortId, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { Link } from '../router';
import type { RequestSummary } from '../types';
import { SlaBadge } from './Inbox';

interface Detail {
  request: RequestSummary;
  fourEyes: { required: boolean; seniorRequired: boolean; approvalsGiven: number; approvalsRequired: number };
  decisions: Array<{
    adminId: string;
    adminUsername: string;
    adminRole: string;
    decision: 'approve' | 'reject';
    reason: string | null;
    comment: string | null;
    decidedAt: string;
  }>;
  timeline: Array<{
    at: string;
    kind: string;
    status: string | null;
    actor: { kind: string; id: string | null };
    detail: Record<string, unknown>;
  }>;
  documents: Array<{ id: string; contentType: string; byteSize: number; url: string }>;
  subject: Record<string, unknown>;
}

/** "annualRateBps" → "Annual rate": API field names as words for people. */
export function humanKey(key: string): string {
  const words = key
    .replace(/(Paise|Bps)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

type Primitive = string | number | boolean | null | undefined;
const isPrimitive = (v: unknown): v is Primitive =>
  v === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof v);

/** Any value of a subject view, as text (never markup): money in rupees, rates in %, dates localised. */
export function SubjectValue({ name, value }: { name: string; value: unknown }) {
  const i = useI18n();
  if (value === null || value === undefined || value === '') return <>—</>;
  if (typeof value === 'number' && /Paise$/.test(name)) return <>{i.money(value)}</>;
  if (typeof value === 'number' && /Bps$/.test(name)) return <>{(value / 100).toFixed(2)}%</>;
  if (typeof value === 'string' && /(At|On)$/.test(name) && !Number.isNaN(Date.parse(value))) {
    return <>{/On$/.test(name) ? i.date(value) : i.dateTime(value)}</>;
  }
  if (typeof value === 'string' && name === 'status') return <StatusBadge status={value} />;
  if (typeof value === 'string' && (name === 'type' || name === 'reason') && /^[a-z_]+$/.test(value)) {
    return <>{value.replace(/_/g, ' ')}</>;
  }
  if (typeof value === 'boolean') return <>{value ? i.t('common.yes') : i.t('common.no')}</>;
  if (Array.isArray(value)) {
    // Conditions and checks ({ met, description }) read best as a checklist.
    if (value.every((v) => typeof v === 'object' && v !== null && 'description' in v)) {
      return (
        <ul className="checks">
          {value.map((v: { met?: boolean; description: unknown }, index) => (
            <li key={index}>
              {v.met === undefined ? '•' : v.met ? '✓' : '✗'} {String(v.description)}
            </li>
          ))}
        </ul>
      );
    }
    return <code className="json">{JSON.stringify(value)}</code>;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return (
      <dl className="nested">
        {entries.map(([k, v]) => (
          <div key={k} className="kv-row">
            <dt>{humanKey(k)}</dt>
            <dd>
              {isPrimitive(v) || Array.isArray(v) ? (
                <SubjectValue name={k} value={v} />
              ) : (
                <code>{JSON.stringify(v)}</code>
              )}
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <>{String(value as string | number)}</>;
}

/** Documents need the admin's token, so they are fetched and shown from memory (data: URL, allowed by the CSP). */
function DocumentLink({ doc, index }: { doc: Detail['documents'][number]; index: number }) {
  const { t } = useI18n();
  const [preview, setPreview] = useState<string>();
  const [error, setError] = useState<string>();
  async function open() {
    try {
      const blob = await (await apiResponse(doc.url)).blob();
      if (doc.contentType.startsWith('image/')) {
        const reader = new FileReader();
        reader.onload = () => setPreview(String(reader.result));
        reader.readAsDataURL(blob);
      } else {
        const url = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = `document-${shortId(doc.id)}.${doc.contentType.split('/')[1] ?? 'bin'}`;
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      }
    } catch (err) {
      setError(messageOf(err));
    }
  }
  return (
    <li>
      <button type="button" className="link" onClick={() => void open()}>
        {t('detail.view')} #{index + 1}
      </button>{' '}
      <span className="muted small">
        {doc.contentType} · {doc.byteSize < 1024 ? `${doc.byteSize} B` : `${(doc.byteSize / 1024).toFixed(1)} KB`}
      </span>
      {error && <span className="error-inline"> {error}</span>}
      {preview && <img className="doc-preview" src={preview} alt={`${t('detail.documents')} #${index + 1}`} />}
    </li>
  );
}

export function RequestDetail({ id }: { id: string }) {
  const i = useI18n();
  const { t } = i;
  const { me, live } = usePortal();
  const { data, error, reload } = useLoad(() => api<Detail>(`/v1/admin/requests/${id}`), [id]);
  useEffect(() => {
    const unsubscribe = live.subscribe((event) => {
      if (event.data.requestId === id || event.data.withdrawalId === id) reload();
    });
    const unsubscribeGap = live.onGap(reload);
    return () => {
      unsubscribe();
      unsubscribeGap();
    };
  }, [live, id, reload]);

  const [decision, setDecision] = useState<'approve' | 'reject'>('approve');
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const [formError, setFormError] = useState<string>();
  const [recorded, setRecorded] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(undefined);
    setRecorded(undefined);
    if (decision === 'reject' && !reason.trim()) {
      setFormError(t('detail.reasonRequired'));
      return;
    }
    setBusy(true);
    try {
      const result = await api<RequestSummary>(`/v1/admin/requests/${id}/decision`, {
        body: {
          decision,
          ...(reason.trim() ? { reason: reason.trim() } : {}),
          ...(comment.trim() ? { comment: comment.trim() } : {}),
        },
      });
      setRecorded(t('detail.recorded', { status: i.word('status', result.status) }));
      setReason('');
      setComment('');
      reload();
    } catch (err) {
      setFormError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function claim(release: boolean) {
    setFormError(undefined);
    try {
      await api(`/v1/admin/requests/${id}/claim`, { method: release ? 'DELETE' : 'POST' });
      reload();
    } catch (err) {
      setFormError(messageOf(err));
    }
  }

  if (!data) return error ? <ErrorBox message={error} onRetry={reload} /> : <Loading />;
  const r = data.request;
  const open = r.status === 'pending_approval';
  const mine = r.claimedBy?.adminId === me.id;
  return (
    <>
      <p>
        <Link to="/inbox">← {t('detail.back')}</Link>
      </p>
      <header className="page-head">
        <h1>
          {i.word('type', r.type)} {r.amountPaise != null && i.money(r.amountPaise)}
        </h1>
        <StatusBadge status={r.status} />
        <SlaBadge r={r} />
        <a className="button secondary" href={r.workflowUrl} target="_blank" rel="noreferrer noopener">
          {t('detail.workflow')} ↗
        </a>
      </header>
      <ErrorBox message={error} onRetry={reload} />
      <div className="grid-2">
        <Card title={t('detail.subject')}>
          <dl className="kv">
            <dt>ID</dt>
            <dd>
              <code>{r.id}</code>
            </dd>
            <dt>{t('common.worker')}</dt>
            <dd>
              <Link to={`/workers/${r.workerId}`}>{r.workerName ?? shortId(r.workerId)}</Link>
            </dd>
            <dt>{t('common.created')}</dt>
            <dd>{i.dateTime(r.createdAt)}</dd>
            <dt>{t('inbox.due')}</dt>
            <dd>{i.dateTime(r.slaDueAt)}</dd>
            <dt>Workflow</dt>
            <dd>
              <code>{r.workflowId}</code>
            </dd>
            {Object.entries(data.subject)
              .filter(
                ([key]) => !['id', 'workerId', 'workflowId', 'workflowUrl', 'instalments', 'currency'].includes(key),
              )
              .map(([key, value]) => (
                <div key={key} className="kv-row">
                  <dt>{humanKey(key)}</dt>
                  <dd>
                    <SubjectValue name={key} value={value} />
                  </dd>
                </div>
              ))}
          </dl>
        </Card>
        <div className="stack">
          <Card title={t('detail.fourEyes')}>
            <p className="foureyes">
              <strong>
                {t('detail.fourEyesState', {
                  given: data.fourEyes.approvalsGiven,
                  required: data.fourEyes.approvalsRequired,
                })}
              </strong>
            </p>
            <progress max={Math.max(1, data.fourEyes.approvalsRequired)} value={data.fourEyes.approvalsGiven} />
            <p className="muted small">
              {data.fourEyes.seniorRequired ? t('detail.seniorNeeded') : t('detail.singleApprover')}
            </p>
            <h3>{t('detail.decisions')}</h3>
            {data.decisions.length === 0 ? (
              <p className="muted">{t('detail.noDecisions')}</p>
            ) : (
              <ul className="decisions">
                {data.decisions.map((d) => (
                  <li key={`${d.adminId}-${d.decidedAt}`}>
                    <Badge
                      value={d.decision === 'approve' ? 'approved' : 'rejected'}
                      label={d.decision === 'approve' ? t('detail.approve') : t('detail.reject')}
                    />{' '}
                    <strong>{d.adminUsername}</strong> ({i.word('role', d.adminRole)}) · {i.dateTime(d.decidedAt)}
                    {d.reason && <div>{d.reason}</div>}
                    {d.comment && <div className="muted">{d.comment}</div>}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          {hasRole(me, 'approver') && (
            <Card
              title={t('detail.decide')}
              actions={
                open && (!r.claimedBy || mine) ? (
                  <button type="button" className="secondary" onClick={() => void claim(mine)}>
                    {mine ? t('inbox.release') : t('inbox.claim')}
                  </button>
                ) : undefined
              }
            >
              {r.claimedBy && open && (
                <p className="muted small">{t('inbox.claimedBy', { name: r.claimedBy.username })}</p>
              )}
              {!open ? (
                <p className="muted">{t('detail.decided')}</p>
              ) : (
                <form onSubmit={(e) => void submit(e)} className="decision">
                  <fieldset>
                    <legend>{t('detail.decide')}</legend>
                    <label className="inline">
                      <input
                        type="radio"
                        name="decision"
                        value="approve"
                        checked={decision === 'approve'}
                        onChange={() => setDecision('approve')}
                      />
                      {t('detail.approve')}
                    </label>
                    <label className="inline">
                      <input
                        type="radio"
                        name="decision"
                        value="reject"
                        checked={decision === 'reject'}
                        onChange={() => setDecision('reject')}
                      />
                      {t('detail.reject')}
                    </label>
                  </fieldset>
                  <label>
                    {t('detail.reason')}
                    <textarea
                      value={reason}
                      maxLength={500}
                      // Checked by the page (with its own message), not by the browser's tooltip.
                      aria-required={decision === 'reject'}
                      aria-invalid={formError === t('detail.reasonRequired')}
                      onChange={(e) => setReason(e.target.value)}
                    />
                  </label>
                  <label>
                    {t('detail.comment')}
                    <textarea value={comment} maxLength={1000} onChange={(e) => setComment(e.target.value)} />
                  </label>
                  <ErrorBox message={formError} />
                  <button type="submit" disabled={busy} className={decision === 'reject' ? 'danger' : undefined}>
                    {decision === 'approve' ? t('detail.approve') : t('detail.reject')}
                  </button>
                </form>
              )}
              {recorded && (
                <p className="success" role="status">
                  {recorded}
                </p>
              )}
            </Card>
          )}
          {data.documents.length > 0 && (
            <Card title={t('detail.documents')}>
              <ul className="plain">
                {data.documents.map((d, index) => (
                  <DocumentLink key={d.id} doc={d} index={index} />
                ))}
              </ul>
            </Card>
          )}
        </div>
      </div>
      <Card title={t('detail.timeline')}>
        <ol className="timeline">
          {data.timeline.map((e, index) => (
            <li key={index}>
              <time dateTime={e.at}>{i.dateTime(e.at)}</time>
              <div>
                <strong>{e.kind}</strong> {e.status && <StatusBadge status={e.status} />}{' '}
                <span className="muted small">
                  {e.actor.kind}
                  {e.actor.id ? ` ${shortId(e.actor.id)}` : ''}
                </span>
                {Object.keys(e.detail).length > 0 && (
                  <div className="facts">
                    {Object.entries(e.detail)
                      .filter(([, v]) => v !== null && v !== undefined)
                      .map(([k, v]) => (
                        <span key={k}>
                          <b>{humanKey(k)}</b>
                          {isPrimitive(v) ? <SubjectValue name={k} value={v} /> : <code>{JSON.stringify(v)}</code>}
                        </span>
                      ))}
                  </div>
                )}
              </div>
            </li>
          ))}
        </ol>
      </Card>
    </>
  );
}
