import { useEffect, useState } from 'react';
import { del, newKey, post, setSession } from '../api';
import { Card, Problem, Screen } from '../components/Screen';
import { dateTime, day, rupees } from '../format';
import { dayCount, explain, useI18n, type MessageKey } from '../i18n';
import { useResource } from '../live';
import { disablePush, enablePush, pushState, type PushState } from '../push';
import { useRouter } from '../router';
import { useRules } from '../rules';
import type { DeletionOverview, Device } from '../types';

const reasons = ['privacy', 'not_using', 'switching', 'support', 'other'] as const;

function PushCard() {
  const { t } = useI18n();
  const [state, setState] = useState<PushState | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void pushState().then(setState);
  }, []);
  const text: Record<PushState, MessageKey> = {
    on: 'pushOn',
    off: 'pushOff',
    blocked: 'pushBlocked',
    unsupported: 'pushUnsupported',
    unavailable: 'pushUnavailable',
  };
  return (
    <Card title={t('pushTitle')}>
      {state ? (
        <p role="status" data-testid="push-state">
          {t(text[state])}
        </p>
      ) : null}
      {state === 'off' || state === 'unavailable' ? (
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setState(await enablePush());
            setBusy(false);
          }}
        >
          {t('pushTurnOn')}
        </button>
      ) : null}
    </Card>
  );
}

function DeletionCard() {
  const { t, lang } = useI18n();
  const rules = useRules();
  const { navigate } = useRouter();
  const overview = useResource<DeletionOverview>('/v1/account/deletion', ['request.status_changed']);
  const [reason, setReason] = useState<(typeof reasons)[number]>('not_using');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const o = overview.data;
  const open = o?.deletion && o.deletion.canCancel;

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setProblem('');
    try {
      await action();
      await overview.reload();
    } catch (err) {
      setProblem(explain(err, t, lang));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('deleteTitle')}>
      <p className="muted small">
        {rules ? t('deleteExplain', { days: dayCount(rules.accountDeletion.graceDays, t) }) : t('deleteExplainPlain')}
      </p>
      {o && o.preconditions.length > 0 && !open ? (
        <div className="note note-problem" role="note">
          <p>{t('deleteBlocked')}</p>
          <ul>
            {o.preconditions.map((p) => (
              <li key={p.code}>
                {t(`pre_${p.code}`, { amount: rupees(p.amountPaise ?? 0) })}
                {p.code === 'wallet_balance' ? (
                  <button type="button" className="link" onClick={() => navigate('withdraw')}>
                    {t('takeItOut')}
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {o?.deletion?.status === 'pending_approval' ? <p role="status">{t('deletion_pending_approval')}</p> : null}
      {o?.deletion?.status === 'grace' && o.deletion.graceEndsAt ? (
        <p role="status">{t('deletion_grace', { date: day(o.deletion.graceEndsAt, lang) })}</p>
      ) : null}
      {o?.deletion?.status === 'rejected' && !o.canRequest ? (
        <p>{t('deletion_rejected', { reason: o.deletion.decisionReason ?? '' })}</p>
      ) : null}
      <Problem>{problem}</Problem>
      {open ? (
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => void act(() => post('/v1/account/deletion/cancel', undefined, newKey('keep')))}
        >
          {t('cancelDeletion')}
        </button>
      ) : null}
      {o?.canRequest ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(() =>
              post(
                '/v1/account/deletion',
                { reason, ...(text.trim() ? { text: text.trim() } : {}) },
                newKey('deletion'),
              ),
            );
          }}
        >
          <fieldset className="field">
            <legend>{t('deleteReason')}</legend>
            {reasons.map((r) => (
              <label key={r} className="choice">
                <input type="radio" name="deletion-reason" checked={reason === r} onChange={() => setReason(r)} />
                {t(`reason_${r}`)}
              </label>
            ))}
          </fieldset>
          {reason === 'other' ? (
            <div className="field">
              <label htmlFor="deletion-text">{t('reasonText')}</label>
              <textarea id="deletion-text" rows={2} value={text} onChange={(e) => setText(e.target.value)} required />
            </div>
          ) : null}
          <button type="submit" className="secondary danger" disabled={busy}>
            {t('requestDeletion')}
          </button>
        </form>
      ) : null}
    </Card>
  );
}

/** Language, push on this phone, devices, account deletion (with what blocks it), sign out. */
export function Settings() {
  const { t, lang, setLang } = useI18n();
  const devices = useResource<{ items: Device[] }>('/v1/me/devices');
  const browsers = useResource<{ items: Array<{ id: string; createdAt: string; lastSuccessAt: string | null }> }>(
    '/v1/me/web-push/subscriptions',
  );
  const thisBrowser = localStorage.getItem('gigbit.webPushSubscriptionId');

  async function signOut() {
    await disablePush();
    try {
      await post('/v1/auth/sign-out');
    } catch {
      // Offline or already signed out: this device forgets the session either way.
    }
    // The app drops the cached dashboard data whenever the session ends (App.tsx).
    setSession(null);
  }

  return (
    <Screen title={t('settingsTitle')} back>
      <Card title={t('language')}>
        <div className="lang-switch" role="group" aria-label={t('language')}>
          <button type="button" aria-pressed={lang === 'en'} onClick={() => setLang('en')}>
            English
          </button>
          <button type="button" aria-pressed={lang === 'hi'} onClick={() => setLang('hi')}>
            हिन्दी
          </button>
        </div>
      </Card>
      <PushCard />
      <Card title={t('devices')}>
        {(devices.data?.items ?? []).length + (browsers.data?.items ?? []).length === 0 ? (
          <p className="muted">{t('noDevices')}</p>
        ) : null}
        <ul className="rows" role="list">
          {(devices.data?.items ?? []).map((d) => (
            <li key={d.id}>
              <span className="grow">
                {t(`device_${d.platform}`)}
                <span className="muted small block">{t('lastSeen', { time: dateTime(d.lastSeenAt, lang) })}</span>
              </span>
              <button
                type="button"
                className="link danger"
                onClick={async () => {
                  await del(`/v1/me/devices/${d.id}`);
                  await devices.reload();
                }}
              >
                {t('remove')}
              </button>
            </li>
          ))}
          {(browsers.data?.items ?? []).map((b) => (
            <li key={b.id}>
              <span className="grow">
                {b.id === thisBrowser ? t('thisBrowser') : t('browser')}
                <span className="muted small block">
                  {t('lastSeen', { time: dateTime(b.lastSuccessAt ?? b.createdAt, lang) })}
                </span>
              </span>
              <button
                type="button"
                className="link danger"
                onClick={async () => {
                  await del(`/v1/me/web-push/subscriptions/${b.id}`);
                  if (b.id === thisBrowser) localStorage.removeItem('gigbit.webPushSubscriptionId');
                  await browsers.reload();
                }}
              >
                {t('remove')}
              </button>
            </li>
          ))}
        </ul>
      </Card>
      <DeletionCard />
      <button type="button" className="secondary wide" onClick={() => void signOut()}>
        {t('signOut')}
      </button>
    </Screen>
  );
}
