import { useEffect, useState } from 'react';
import { get } from '../api';
import { Loading, Problem, Screen } from '../components/Screen';
import { dateTime, rupees } from '../format';
import { explain, isKey, useI18n } from '../i18n';
import { useLiveEvents } from '../live';
import type { HistoryItem } from '../types';

/** Every money movement of the wallet, newest first, from the ledger. */
export function History() {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<HistoryItem[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState('');

  const load = async (cursor: string | null) => {
    try {
      const page = await get<{ items: HistoryItem[]; nextCursor: string | null }>(
        `/v1/me/history?limit=30${cursor ? `&cursor=${cursor}` : ''}`,
      );
      setItems((prev) => (cursor && prev ? [...prev, ...page.items] : page.items));
      setNext(page.nextCursor);
    } catch (err) {
      setProblem(explain(err, t, lang));
    }
  };
  useEffect(() => {
    void load(null);
  }, []);
  useLiveEvents(
    ['withdrawal.status_changed', 'request.status_changed', 'loan.instalment_changed'],
    () => void load(null),
  );

  const detail = (i: HistoryItem) =>
    i.reference.platformName ??
    (i.reference.planCode ? i.reference.planCode.toUpperCase() : null) ??
    i.reference.month ??
    '';
  return (
    <Screen title={t('historyTitle')} back>
      <Problem>{problem}</Problem>
      {items === null && !problem ? <Loading /> : null}
      {items && items.length === 0 ? <p className="muted">{t('noHistory')}</p> : null}
      {items && items.length > 0 ? (
        <ul className="card rows history" role="list">
          {items.map((i) => {
            const key = `kind_${i.kind}`;
            return (
              <li key={i.id}>
                <span className="grow">
                  {isKey(key) ? t(key) : i.kind}
                  {detail(i) ? <span className="muted"> · {detail(i)}</span> : null}
                  <span className="muted small block">{dateTime(i.at, lang)}</span>
                </span>
                <span className={`num ${i.amountPaise >= 0 ? 'good' : ''}`}>
                  {i.amountPaise >= 0 ? '+' : ''}
                  {rupees(i.amountPaise)}
                </span>
              </li>
            );
          })}
        </ul>
      ) : null}
      {next ? (
        <button type="button" className="secondary" onClick={() => void load(next)}>
          {t('loadMore')}
        </button>
      ) : null}
    </Screen>
  );
}
