import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, type AdminView } from '../api';
import { usePortal } from '../App';
import { Badge, Card, ErrorBox, Loading, messageOf, useLoad } from '../components/ui';
import { useI18n } from '../i18n';

const ROLES: AdminView['role'][] = ['viewer', 'approver', 'senior_approver', 'superadmin'];

/** The admin roster (superadmin only): create with an authenticator seed shown once, change role, disable. */
export function Admins() {
  const i = useI18n();
  const { t } = i;
  const { me } = usePortal();
  const { data, error, reload } = useLoad(() => api<{ admins: AdminView[] }>('/v1/admin/admins'), []);
  const [form, setForm] = useState({ username: '', role: 'approver' as AdminView['role'], password: '', email: '' });
  const [enrolment, setEnrolment] = useState<{ username: string; totpSecret: string; otpauthUri: string } | null>(null);
  const [actionError, setActionError] = useState<string>();
  const enrolmentHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (enrolment) enrolmentHeading.current?.focus();
  }, [enrolment]);

  async function create(e: FormEvent) {
    e.preventDefault();
    setActionError(undefined);
    try {
      const created = await api<{ admin: AdminView; enrolment: { totpSecret: string; otpauthUri: string } }>(
        '/v1/admin/admins',
        {
          body: {
            username: form.username.trim(),
            role: form.role,
            password: form.password,
            ...(form.email.trim() ? { email: form.email.trim() } : {}),
          },
        },
      );
      setEnrolment({ username: created.admin.username, ...created.enrolment });
      setForm({ username: '', role: 'approver', password: '', email: '' });
      reload();
    } catch (err) {
      setActionError(messageOf(err));
    }
  }

  async function update(a: AdminView, body: { role?: AdminView['role']; disabled?: boolean }) {
    setActionError(undefined);
    try {
      await api(`/v1/admin/admins/${a.id}`, { method: 'PATCH', body });
    } catch (err) {
      setActionError(messageOf(err));
    }
    reload();
  }

  return (
    <>
      <header className="page-head">
        <h1>{t('admins.title')}</h1>
      </header>
      <ErrorBox message={error} onRetry={reload} />
      <ErrorBox message={actionError} />
      {enrolment && (
        // Not a live region: a screen reader would read the seed aloud to the room. The heading takes focus instead,
        // so the admin lands on it and reads it at their own pace; Done removes the seed from the page.
        <section className="notice block enrolment" aria-labelledby="enrolment-title">
          <h2 id="enrolment-title" tabIndex={-1} ref={enrolmentHeading}>
            {t('admins.enrolmentTitle', { name: enrolment.username })}
          </h2>
          <p>{t('admins.enrolmentHint', { name: enrolment.username })}</p>
          <dl className="kv">
            <dt>{t('admins.seed')}</dt>
            <dd>
              <code>{enrolment.totpSecret}</code>
            </dd>
            <dt>{t('admins.setupLink')}</dt>
            <dd>
              <code className="small">{enrolment.otpauthUri}</code>
            </dd>
          </dl>
          <button type="button" onClick={() => setEnrolment(null)}>
            {t('admins.done')}
          </button>
        </section>
      )}
      <Card>
        {!data ? (
          <Loading />
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admins.username')}</th>
                <th scope="col">{t('admins.role')}</th>
                <th scope="col">{t('workers.email')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('common.created')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {data.admins.map((a) => (
                <tr key={a.id}>
                  <td>
                    <strong>{a.username}</strong>
                  </td>
                  <td>
                    <select
                      aria-label={`${t('admins.role')} ${a.username}`}
                      value={a.role}
                      disabled={a.id === me.id}
                      onChange={(e) => void update(a, { role: e.target.value as AdminView['role'] })}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {i.word('role', r)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{a.email ?? '—'}</td>
                  <td>
                    {a.disabled ? (
                      <Badge value="closed" label={t('common.disabled')} />
                    ) : (
                      <Badge value="active" label={t('common.enabled')} />
                    )}
                  </td>
                  <td className="nowrap">{i.date(a.createdAt)}</td>
                  <td>
                    {a.id !== me.id && (
                      <button
                        type="button"
                        className="link"
                        aria-label={`${a.disabled ? t('admins.enable') : t('admins.disable')} ${a.username}`}
                        onClick={() => void update(a, { disabled: !a.disabled })}
                      >
                        {a.disabled ? t('admins.enable') : t('admins.disable')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title={t('admins.create')}>
        <form className="form-row" onSubmit={(e) => void create(e)}>
          <label>
            {t('admins.username')}
            <input
              required
              pattern="[a-z0-9._\-]{3,40}"
              value={form.username}
              onChange={(e) => setForm({ ...form, username: e.target.value })}
            />
          </label>
          <label>
            {t('admins.role')}
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as AdminView['role'] })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {i.word('role', r)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('admins.password')}
            <input
              type="password"
              autoComplete="new-password"
              minLength={12}
              required
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
            />
          </label>
          <label>
            {t('workers.email')}
            <input type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
          </label>
          <button type="submit">{t('admins.create')}</button>
        </form>
      </Card>
    </>
  );
}
