import { useState } from 'react';
import { ApiError, newKey, post } from '../api';
import { PhotoPicker, type PickedFile } from '../components/PhotoPicker';
import { Card, Loading, Problem, Screen, Success } from '../components/Screen';
import { useDocumentUploads } from '../documents';
import { day, fileSize, percent, rupees, todayIst } from '../format';
import { endReason, explain, useI18n } from '../i18n';
import { useResource } from '../live';
import { useRules } from '../rules';
import type { Claim, ClaimType, Contribution, Insurance as InsuranceView } from '../types';

const INSURANCE_EVENTS = ['insurance.coverage_changed', 'request.status_changed'];

function ClaimForm(props: { insurance: InsuranceView; onFiled: (message: string) => void }) {
  const { t, lang } = useI18n();
  const rules = useRules();
  const proofs = rules?.insurance;
  const firstOpen = props.insurance.claimLimits.find((l) => l.remaining > 0)?.type ?? 'vehicle_damage';
  const [type, setType] = useState<ClaimType>(firstOpen);
  const [incidentOn, setIncidentOn] = useState(todayIst());
  const [description, setDescription] = useState('');
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const [key] = useState(() => newKey('claim'));
  const upload = useDocumentUploads('claim_proof');

  async function submit() {
    setBusy(true);
    setProblem('');
    try {
      const documentIds = await upload(files.map((f) => f.file));
      await post('/v1/insurance/claims', { type, incidentOn, description, documentIds }, key);
      props.onFiled(t('claimSent'));
    } catch (err) {
      // The key was used for a claim that went through (its answer was lost, then the form changed): the list
      // below shows it, and the form starts afresh for another claim.
      if (err instanceof ApiError && err.code === 'IDEMPOTENCY_KEY_REUSED') props.onFiled(explain(err, t, lang));
      else setProblem(explain(err, t, lang, rules));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t('fileClaim')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <fieldset className="field">
          <legend>{t('claimType')}</legend>
          {props.insurance.claimLimits.map((l) => (
            <label key={l.type} className={`choice ${l.remaining === 0 ? 'disabled' : ''}`}>
              <input
                type="radio"
                name="claim-type"
                value={l.type}
                checked={type === l.type}
                onChange={() => setType(l.type)}
              />
              <span className="grow">
                {t(`claim_${l.type}`, { amount: rupees(l.payoutPaise) })}
                <span className="muted small block">{t('claimsLeft', { left: l.remaining, max: l.maxPerYear })}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="incident-on">{t('incidentOn')}</label>
          <input
            id="incident-on"
            type="date"
            value={incidentOn}
            max={todayIst()}
            onChange={(e) => setIncidentOn(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="claim-description">{t('description')}</label>
          <textarea
            id="claim-description"
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            required
          />
        </div>
        <PhotoPicker
          label={
            proofs && rules
              ? t('photos', {
                  min: proofs.claimMinDocuments,
                  max: proofs.claimMaxDocuments,
                  size: fileSize(rules.documents.maxBytes),
                })
              : t('photosPlain')
          }
          files={files}
          onChange={setFiles}
          // Until the rules arrive, one proof (every claim needs at least one); then as many as a claim takes.
          max={proofs?.claimMaxDocuments ?? 1}
        />
        <Problem>{problem}</Problem>
        <button type="submit" className="primary" disabled={busy || files.length === 0 || !description.trim()}>
          {t('submitClaim')}
        </button>
      </form>
    </Card>
  );
}

/** Cover status and what it costs, opt in/out, claims with photos, and every contribution. */
export function Insurance() {
  const { t, lang } = useI18n();
  const rules = useRules();
  const insurance = useResource<InsuranceView>('/v1/insurance', INSURANCE_EVENTS);
  const claims = useResource<{ items: Claim[] }>('/v1/insurance/claims', INSURANCE_EVENTS);
  const contributions = useResource<{
    items: Contribution[];
    totals: { premiumsPaise: number; withdrawalSharesPaise: number };
  }>('/v1/insurance/contributions', INSURANCE_EVENTS);
  const [problem, setProblem] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  // A filed claim resets the form: empty fields and a fresh idempotency key for the next claim.
  const [formKey, setFormKey] = useState(0);
  const i = insurance.data;
  const payoutOf = (type: ClaimType) => i?.claimLimits.find((l) => l.type === type)?.payoutPaise ?? 0;

  async function change(path: string) {
    setBusy(true);
    setProblem('');
    try {
      insurance.set(await post<InsuranceView>(path, undefined, newKey('cover')));
    } catch (err) {
      setProblem(explain(err, t, lang, rules));
    } finally {
      setBusy(false);
    }
  }

  const covered = i && (i.status === 'active' || i.status === 'grace');
  return (
    <Screen title={t('insuranceTitle')}>
      {!i && insurance.loading ? <Loading /> : null}
      <Success>{done}</Success>
      {i ? (
        <Card label={t('insuranceTitle')}>
          <p className={`cover cover-${i.status}`} data-testid="cover-status">
            <svg className="shield" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
              <path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z" fill="currentColor" opacity="0.15" />
              <path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z" fill="none" stroke="currentColor" strokeWidth="2" />
            </svg>
            {t(`cover_${i.status}`)}
          </p>
          <p className="muted">
            {t('coverExplain', {
              premium: rupees(i.premium.monthlyPaise),
              vehicle: rupees(payoutOf('vehicle_damage')),
              goods: rupees(payoutOf('product_damage_loss')),
            })}
          </p>
          {rules && rules.withdrawal.insuranceShareBps > 0 ? (
            <p className="muted">{t('coverShare', { percent: percent(rules.withdrawal.insuranceShareBps) })}</p>
          ) : null}
          {i.optOutEffectiveOn ? <p>{t('endsOn', { date: day(i.optOutEffectiveOn, lang) })}</p> : null}
          {i.premium.overdue ? (
            <p className="note note-problem">
              {t('graceExplain', {
                amount: rupees(i.premium.overdue.amountPaise),
                date: day(i.premium.overdue.coveredThrough, lang),
              })}
            </p>
          ) : null}
          <Problem>{problem}</Problem>
          {i.status === 'none' || i.status === 'opted_out' || i.status === 'lapsed' ? (
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() => void change('/v1/insurance/opt-in')}
            >
              {t('optIn', { amount: rupees(i.premium.monthlyPaise) })}
            </button>
          ) : null}
          {covered && !i.optOutEffectiveOn ? (
            <button
              type="button"
              className="link danger"
              disabled={busy}
              onClick={() => void change('/v1/insurance/opt-out')}
            >
              {t('optOut')}
            </button>
          ) : null}
        </Card>
      ) : null}

      {i && i.coveredToday ? (
        <ClaimForm
          key={formKey}
          insurance={i}
          onFiled={(message) => {
            setDone(message);
            setFormKey((k) => k + 1);
            void claims.reload();
            void insurance.reload();
          }}
        />
      ) : null}

      {(claims.data?.items ?? []).length > 0 ? (
        <Card title={t('yourClaims')}>
          <ul className="rows" role="list">
            {(claims.data?.items ?? []).map((c) => {
              const why = endReason(c.status, c.decisionReason, t);
              return (
                <li key={c.id} aria-label={t(`claim_${c.type}`, { amount: rupees(c.payoutPaise) })}>
                  <span className="grow">
                    {t(`claim_${c.type}`, { amount: rupees(c.payoutPaise) })}
                    <span className="muted small block">{day(c.incidentOn, lang)}</span>
                    {why ? <span className="muted small block">{t('reason', { reason: why })}</span> : null}
                  </span>
                  <span className={`pill pill-${c.status}`} data-testid="claim-status">
                    {t(`claimStatus_${c.status}`)}
                  </span>
                </li>
              );
            })}
          </ul>
        </Card>
      ) : null}

      {contributions.data && contributions.data.items.length > 0 ? (
        <Card title={t('contributions')}>
          <p>
            {t('premiumsTotal', { amount: rupees(contributions.data.totals.premiumsPaise) })} ·{' '}
            {t('sharesTotal', { amount: rupees(contributions.data.totals.withdrawalSharesPaise) })}
          </p>
          <ul className="rows" role="list">
            {contributions.data.items.map((c, n) => (
              <li key={`${c.at}-${n}`}>
                <span className="grow">
                  {t(`contrib_${c.kind}`, { month: c.month ?? '' })}
                  <span className="muted small block">{day(c.at, lang)}</span>
                </span>
                <span className="num">{rupees(c.amountPaise)}</span>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </Screen>
  );
}
