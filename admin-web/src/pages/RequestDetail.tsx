import { useEffect, useState, type FormEvent } from 'react';
import { api, apiResponse } from '../api';
import { hasRole, usePortal } from '../App';
import { Badge, Card, ErrorBox, Loading, StatusBadge, messageOf, shortId, useLoad } from '../components/ui';
import { useI18n, type I18n, type WordPrefix } from '../i18n';
import type { MessageKey } from '../i18n/en';
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

type Primitive = string | number | boolean | null | undefined;
const isPrimitive = (v: unknown): v is Primitive =>
  v === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof v);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Reasons the system writes itself (workflows, activities): worded in the reader's language, not shown as sent. */
const SYSTEM_REASONS: Record<string, MessageKey> = {
  expired: 'reason.expired',
  'cancelled by the worker': 'reason.cancelledByWorker',
  'approved automatically': 'reason.automatic',
};

/** Fields whose string value is a code with words in the catalogue, under this prefix. */
const CODED_FIELDS: Record<string, WordPrefix> = {
  type: 'claimType',
  reason: 'deletionReason',
  decision: 'decision',
  closure: 'closure',
  adminRole: 'role',
  preconditions: 'precondition',
  limitingCondition: 'refusal',
  conditions: 'condition',
};

/**
 * The order nested facts read best in (a decision before its reason; eligibility first says yes or no, then why);
 * PostgreSQL's jsonb keeps keys in its own order. Fields not listed follow in the order they came.
 */
const FIELD_ORDER = [
  'decision',
  'reason',
  'comment',
  'adminRole',
  'amountPaise',
  'approvalsRequired',
  'eligible',
  'limitingCondition',
  'score',
  'conditions',
  'conditionsMet',
  'annualRateBps',
  'improvement',
  'maxAmountPaise',
  'earningsInWindowPaise',
  'tenureDays',
  'workedDays',
  'goodDays',
  'windowFrom',
  'windowTo',
];
const byFieldOrder = ([a]: [string, unknown], [b]: [string, unknown]) => {
  const rank = (key: string) => (FIELD_ORDER.includes(key) ? FIELD_ORDER.indexOf(key) : FIELD_ORDER.length);
  return rank(a) - rank(b);
};

/** An IST day number (days since 1970-01-01 in India) as the date string `i.date` reads. */
const istDayIso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/**
 * A coded item ({ code, description | message, have?, need? }: loan conditions, refusals, erasure blockers) in the
 * reader's language: English keeps the server's own sentence (it carries the numbers); Hindi uses the catalogue.
 */
function codedText(i: I18n, prefix: WordPrefix | undefined, item: Record<string, unknown>): string {
  const code = typeof item.code === 'string' ? item.code : '';
  const sentence = item.description ?? item.message;
  const vars = { have: String(item.have ?? ''), need: String(item.need ?? '') };
  const worded = prefix && code ? i.maybe(prefix, code, vars) : undefined;
  const text = i.lang === 'en' && typeof sentence === 'string' ? sentence : (worded ?? String(sentence ?? code));
  return typeof item.have === 'number' && typeof item.need === 'number' ? `${text} (${item.have}/${item.need})` : text;
}

/** Any value of a subject view, as text (never markup): money in rupees, rates in %, dates localised, codes worded. */
export function SubjectValue({ name, value }: { name: string; value: unknown }) {
  const i = useI18n();
  if (value === null || value === undefined || value === '') return <>—</>;
  if (typeof value === 'number' && /Paise$/.test(name)) return <>{i.money(value)}</>;
  if (typeof value === 'number' && /Bps$/.test(name)) return <>{(value / 100).toFixed(2)}%</>;
  if (typeof value === 'number' && /^window(From|To)$/.test(name)) return <>{i.date(istDayIso(value))}</>;
  if (typeof value === 'string' && /(At|On)$/.test(name) && !Number.isNaN(Date.parse(value))) {
    return <>{/On$/.test(name) ? i.date(value) : i.dateTime(value)}</>;
  }
  if (typeof value === 'string' && name === 'status') return <StatusBadge status={value} />;
  if (typeof value === 'string') {
    const prefix = CODED_FIELDS[name];
    const worded = prefix ? i.maybe(prefix, value) : undefined;
    if (worded) return <>{worded}</>;
    const system = /[rR]eason$/.test(name) ? SYSTEM_REASONS[value] : undefined;
    if (system) return <>{i.t(system)}</>;
    if (name === 'improvement' && i.lang !== 'en') return <>{i.t('detail.improvement')}</>;
    // Identifiers (admin ids, payout references, pseudonyms) are data, not words: shown as code, untranslated.
    if (/(^id|Id|By|Pseudonym)$/.test(name)) return <code>{value}</code>;
  }
  if (typeof value === 'boolean') return <>{value ? i.t('common.yes') : i.t('common.no')}</>;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) {
      const prefix = CODED_FIELDS[name];
      return <>{value.map((v) => (prefix ? i.word(prefix, v) : v)).join(' · ')}</>;
    }
    // Conditions ({ code, met, description }) and blockers ({ code, message }) read best as a checklist.
    if (value.every((v) => isRecord(v) && ('description' in v || 'message' in v))) {
      return (
        <ul className="checks">
          {(value as Array<Record<string, unknown>>).map((v, index) => (
            <li key={index}>
              <span aria-hidden="true">{v.met === undefined ? '•' : v.met ? '✓' : '✗'}</span>{' '}
              {v.met !== undefined && (
                <span className="visually-hidden">{v.met ? i.t('common.yes') : i.t('common.no')}:</span>
              )}{' '}
              {codedText(i, CODED_FIELDS[name], v)}
            </li>
          ))}
        </ul>
      );
    }
    return <code className="json">{JSON.stringify(value)}</code>;
  }
  if (isRecord(value)) {
    if ('code' in value && 'message' in value) return <>{codedText(i, CODED_FIELDS[name], value)}</>;
    return (
      <dl className="nested">
        {Object.entries(value)
          .sort(byFieldOrder)
          .map(([k, v]) => (
            <div key={k} className="kv-row">
              <dt>{i.field(k)}</dt>
              <dd>
                <SubjectValue name={k} value={v} />
              </dd>
            </div>
          ))}
      </dl>
    );
  }
  return <>{String(value as string | number)}</>;
}

/** The actor of a timeline entry: a known name, else the start of the id (as code: it is data, not a word). */
function Actor({ actor, names }: { actor: Detail['timeline'][number]['actor']; names: Map<string, string> }) {
  if (!actor.id) return null;
  const name = names.get(actor.id);
  return name ? <>{name}</> : <code>{shortId(actor.id)}</code>;
}

/** Documents need the admin's token, so they are fetched and shown from memory (data: URL, allowed by the CSP). */
function DocumentLink({ doc, index }: { doc: Detail['documents'][number]; index: number }) {
  const { t, locale } = useI18n();
  const kilobytes = new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 1 });
  const bytes = new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte' });
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
        {(doc.contentType.split('/')[1] ?? doc.contentType).toUpperCase()} ·{' '}
        {doc.byteSize < 1024 ? bytes.format(doc.byteSize) : kilobytes.format(doc.byteSize / 1024)}
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
  // Who acted, by name where the page knows it: the worker, and admins who decided or hold the request.
  const names = new Map<string, string>([
    [r.workerId, r.workerName ?? shortId(r.workerId)],
    ...data.decisions.map((d): [string, string] => [d.adminId, d.adminUsername]),
    ...(r.claimedBy ? [[r.claimedBy.adminId, r.claimedBy.username] as [string, string]] : []),
  ]);
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
            <dt>{t('common.id')}</dt>
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
            <dt>{t('detail.workflowId')}</dt>
            <dd>
              <code>{r.workflowId}</code>
            </dd>
            {Object.entries(data.subject)
              .filter(
                // Shown above already (id, worker, created, workflow), or not a fact about this decision.
                ([key]) =>
                  !['id', 'workerId', 'workflowId', 'workflowUrl', 'instalments', 'currency', 'createdAt'].includes(
                    key,
                  ),
              )
              .map(([key, value]) => (
                <div key={key} className="kv-row">
                  <dt>{i.field(key)}</dt>
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
                      label={i.word('status', d.decision === 'approve' ? 'approved' : 'rejected')}
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
                <strong>{i.word('timeline', e.kind)}</strong> {e.status && <StatusBadge status={e.status} />}{' '}
                <span className="muted small">
                  {i.word('actor', e.actor.kind)} <Actor actor={e.actor} names={names} />
                </span>
                {Object.keys(e.detail).length > 0 && (
                  <div className="facts">
                    {Object.entries(e.detail)
                      .filter(([, v]) => v !== null && v !== undefined)
                      .sort(byFieldOrder)
                      .map(([k, v]) => (
                        <span key={k}>
                          <b>{i.field(k)}</b>
                          {isPrimitive(v) || Array.isArray(v) ? (
                            <SubjectValue name={k} value={v} />
                          ) : (
                            <code>{JSON.stringify(v)}</code>
                          )}
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
