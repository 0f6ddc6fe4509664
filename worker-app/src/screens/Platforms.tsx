import { useEffect, useRef, useState } from 'react';
import { del, get, newKey, post } from '../api';
import { Card, Loading, Problem, Screen, Success } from '../components/Screen';
import { dateTime, rupees } from '../format';
import { explain, useI18n } from '../i18n';
import { useResource } from '../live';
import type { Connection, Platform, Purchase, SyncStatus } from '../types';

function ConnectForm(props: { platform: Platform; onConnected: () => void }) {
  const { t, lang } = useI18n();
  const [phone, setPhone] = useState('');
  const [otp, setOtp] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const name = props.platform.name;
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setProblem('');
    try {
      await action();
    } catch (err) {
      setProblem(explain(err, t, lang));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="connect-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          if (!sent) {
            await post(`/v1/me/platforms/${props.platform.slug}/code`, { phone: phone.replace(/\s/g, '') });
            setSent(true);
          } else {
            await post(`/v1/me/platforms/${props.platform.slug}/connect`, { phone: phone.replace(/\s/g, ''), otp });
            props.onConnected();
          }
        });
      }}
    >
      <div className="field">
        <label htmlFor={`phone-${props.platform.slug}`}>{t('platformPhone', { name })}</label>
        <input
          id={`phone-${props.platform.slug}`}
          type="tel"
          inputMode="tel"
          value={phone}
          disabled={sent}
          onChange={(e) => setPhone(e.target.value)}
          required
        />
      </div>
      {sent ? (
        <div className="field">
          <label htmlFor={`otp-${props.platform.slug}`}>{t('platformCode', { name })}</label>
          <input
            id={`otp-${props.platform.slug}`}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={otp}
            onChange={(e) => setOtp(e.target.value.replace(/\D/g, ''))}
            required
          />
        </div>
      ) : null}
      <Problem>{problem}</Problem>
      <button type="submit" className="primary" disabled={busy}>
        {sent ? t('connect') : t('getCode', { name })}
      </button>
    </form>
  );
}

/** Connect platforms (with the platform's own code), disconnect, and sync earnings now with live progress. */
export function Platforms() {
  const { t, lang } = useI18n();
  const catalog = useResource<{ items: Platform[] }>('/v1/platforms');
  const connections = useResource<{ items: Connection[] }>('/v1/me/platforms');
  const plans = useResource<{ items: Purchase[] }>('/v1/me/plans');
  const [open, setOpen] = useState<string | null>(null);
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [problem, setProblem] = useState('');
  const polling = useRef(false);

  const connected = (connections.data?.items ?? []).filter((c) => c.status === 'connected');
  const slotsTotal = (plans.data?.items ?? []).filter((p) => p.active).reduce((s, p) => s + p.slots, 0);

  async function pollSync() {
    if (polling.current) return;
    polling.current = true;
    try {
      for (;;) {
        const status = await get<SyncStatus>('/v1/me/sync');
        setSync(status);
        if (status.state !== 'running') break;
        await new Promise((r) => setTimeout(r, 600));
      }
      await connections.reload();
    } catch (err) {
      setProblem(explain(err, t, lang));
    } finally {
      polling.current = false;
    }
  }

  useEffect(() => {
    void get<SyncStatus>('/v1/me/sync')
      .then((s) => (s.state === 'running' ? pollSync() : undefined))
      .catch(() => undefined);
  }, []);

  async function syncNow() {
    setProblem('');
    try {
      await post('/v1/me/sync', undefined, newKey('sync'));
      setSync({ state: 'running', progress: null });
      await pollSync();
    } catch (err) {
      setProblem(explain(err, t, lang));
    }
  }

  async function disconnect(c: Connection) {
    if (!confirm(t('disconnectConfirm', { name: c.platform.name }))) return;
    try {
      await del(`/v1/me/platforms/${c.platform.slug}`);
      await connections.reload();
    } catch (err) {
      setProblem(explain(err, t, lang));
    }
  }

  const progress = sync?.progress;
  return (
    <Screen title={t('platformsTitle')} back>
      {catalog.loading && !catalog.data ? <Loading /> : null}
      <Card>
        <p>{slotsTotal > 0 ? t('slotsUsed', { used: connected.length, total: slotsTotal }) : t('noSlots')}</p>
        <button
          type="button"
          className="secondary"
          onClick={() => void syncNow()}
          disabled={sync?.state === 'running' || connected.length === 0}
        >
          {t('syncNow')}
        </button>
        {sync?.state === 'running' ? (
          <div className="progress" role="status" aria-live="polite">
            <p>
              {t('syncing', { done: progress?.accountsDone ?? 0, total: progress?.accountsTotal ?? connected.length })}
            </p>
            <progress max={progress?.accountsTotal || 1} value={progress?.accountsDone ?? 0} />
          </div>
        ) : null}
        {sync?.state === 'completed' && progress ? (
          <Success>{t('syncDone', { trips: progress.tripsCredited, amount: rupees(progress.amountPaise) })}</Success>
        ) : null}
        {sync?.state === 'failed' || (progress && progress.failedAccounts > 0) ? (
          <Problem>{t('syncFailed')}</Problem>
        ) : null}
        <Problem>{problem}</Problem>
      </Card>

      <ul className="list" role="list">
        {(catalog.data?.items ?? [])
          .filter((p) => p.enabled)
          .map((p) => {
            const c = connected.find((x) => x.platform.slug === p.slug);
            return (
              <li key={p.slug} className="card platform" aria-label={p.name}>
                <div className="platform-row">
                  {p.logoUrl ? (
                    <img className="logo" src={p.logoUrl} alt="" width="40" height="40" />
                  ) : (
                    <span className="logo" style={{ background: p.brandColour }} aria-hidden="true">
                      {p.name.slice(0, 1)}
                    </span>
                  )}
                  <div className="grow">
                    <strong>{p.name}</strong>
                    <div className="muted small">
                      {c
                        ? c.lastSyncedAt
                          ? t('lastSynced', { time: dateTime(c.lastSyncedAt, lang) })
                          : t('neverSynced')
                        : ''}
                    </div>
                  </div>
                  {c ? (
                    <button type="button" className="link danger" onClick={() => void disconnect(c)}>
                      {t('disconnect')}
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="secondary small"
                      onClick={() => setOpen(open === p.slug ? null : p.slug)}
                    >
                      {open === p.slug ? t('cancel') : t('connect')}
                    </button>
                  )}
                </div>
                {!c && open === p.slug ? (
                  <ConnectForm
                    platform={p}
                    onConnected={() => {
                      setOpen(null);
                      void connections.reload();
                    }}
                  />
                ) : null}
              </li>
            );
          })}
      </ul>
    </Screen>
  );
}
