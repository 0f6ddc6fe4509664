import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { hasRole, usePortal } from '../App';
import { Badge, Card, ErrorBox, Loading, messageOf, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import type { PlatformView } from '../types';

interface FormState {
  slug: string;
  name: string;
  brandColour: string;
  sortOrder: string;
  logo: File | null;
}

const EMPTY: FormState = { slug: '', name: '', brandColour: '#0f766e', sortOrder: '100', logo: null };

function PlatformForm(props: {
  initial: FormState;
  editing: boolean;
  /** Set when the platform was created but its logo upload failed: the form only retries the upload. */
  logoPending?: PlatformView | null;
  onSubmit(form: FormState): Promise<void>;
  onCancel?: () => void;
  cancelLabel?: string;
}) {
  const { t } = useI18n();
  const [form, setForm] = useState(props.initial);
  const [preview, setPreview] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch }));

  function pickLogo(file: File | null) {
    set({ logo: file });
    setPreview(undefined);
    if (file) {
      const reader = new FileReader();
      reader.onload = () => setPreview(String(reader.result));
      reader.readAsDataURL(file);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit(form);
      if (!props.editing) {
        setForm(EMPTY);
        setPreview(undefined);
      }
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  const idPrefix = props.editing ? `edit-${props.initial.slug}` : 'new';
  // Saved already: only the logo is still to go (a second create would be refused as a duplicate slug).
  const saved = Boolean(props.logoPending);
  return (
    <form className="platform-form" onSubmit={(e) => void submit(e)}>
      <ErrorBox message={error} />
      <div className="form-row">
        {!props.editing && (
          <label>
            {t('platforms.slug')}
            <input
              required
              pattern="[a-z0-9\-]{2,40}"
              disabled={saved}
              value={form.slug}
              onChange={(e) => set({ slug: e.target.value.toLowerCase() })}
            />
          </label>
        )}
        <label>
          {t('platforms.name')}
          <input
            required
            maxLength={60}
            disabled={saved}
            value={form.name}
            onChange={(e) => set({ name: e.target.value })}
          />
        </label>
        <label>
          {t('platforms.colour')}
          <span className="colour-input">
            <input
              type="color"
              aria-label={t('platforms.colourPicker')}
              disabled={saved}
              value={form.brandColour}
              onChange={(e) => set({ brandColour: e.target.value })}
            />
            <input
              id={`${idPrefix}-colour`}
              aria-label={t('platforms.colourHex')}
              pattern="#[0-9A-Fa-f]{6}"
              disabled={saved}
              value={form.brandColour}
              onChange={(e) => set({ brandColour: e.target.value })}
            />
          </span>
        </label>
        <label>
          {t('platforms.order')}
          <input
            type="number"
            min={0}
            max={10000}
            disabled={saved}
            value={form.sortOrder}
            onChange={(e) => set({ sortOrder: e.target.value })}
          />
        </label>
        <label>
          {t('platforms.logo')}
          <input
            type="file"
            accept="image/png,image/jpeg,image/webp"
            required={saved}
            onChange={(e) => pickLogo(e.target.files?.[0] ?? null)}
          />
        </label>
        {preview && <img className="logo-preview" src={preview} alt="" />}
      </div>
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {saved ? t('platforms.retryLogo') : props.editing ? t('common.save') : t('platforms.create')}
        </button>
        {props.onCancel && (
          <button type="button" className="secondary" onClick={props.onCancel}>
            {props.cancelLabel ?? t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

export function Platforms() {
  const { t } = useI18n();
  const { me } = usePortal();
  const canEdit = hasRole(me, 'senior_approver');
  const { data, error, reload } = useLoad(() => api<{ items: PlatformView[] }>('/v1/admin/platforms'), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  // Remounting the add form after a create clears it, the file input included (it cannot be reset by value).
  const [formKey, setFormKey] = useState(0);

  async function uploadLogo(id: string, logo: File | null) {
    if (logo) await api(`/v1/admin/platforms/${id}/logo`, { method: 'PUT', raw: logo });
  }

  // The platform a create made whose logo upload then failed: the retry uploads to it instead of creating again.
  const [logoPending, setLogoPending] = useState<PlatformView | null>(null);
  const resetAddForm = () => {
    setLogoPending(null);
    setFormKey((k) => k + 1);
  };

  async function create(form: FormState) {
    setNotice(undefined);
    const created =
      logoPending ??
      (await api<PlatformView>('/v1/admin/platforms', {
        body: {
          slug: form.slug.trim(),
          name: form.name.trim(),
          brandColour: form.brandColour,
          sortOrder: Number(form.sortOrder || 0),
          enabled: true,
        },
      }));
    try {
      await uploadLogo(created.id, form.logo);
    } catch (err) {
      setLogoPending(created);
      reload();
      throw new Error(t('platforms.logoFailed', { name: created.name, message: messageOf(err) }));
    }
    setNotice(t('platforms.saved', { name: created.name }));
    resetAddForm();
    reload();
  }

  async function update(p: PlatformView, form: FormState) {
    await api(`/v1/admin/platforms/${p.id}`, {
      method: 'PATCH',
      body: { name: form.name.trim(), brandColour: form.brandColour, sortOrder: Number(form.sortOrder || 0) },
    });
    await uploadLogo(p.id, form.logo);
    setEditing(null);
    setNotice(t('platforms.saved', { name: form.name }));
    reload();
  }

  async function run(action: () => Promise<unknown>) {
    setActionError(undefined);
    try {
      await action();
    } catch (err) {
      setActionError(messageOf(err));
    }
    reload();
  }

  /** Moves a platform one place and renumbers the catalog 10, 20, 30… so the order is unambiguous. */
  function move(list: PlatformView[], index: number, by: -1 | 1) {
    const order = [...list];
    const [item] = order.splice(index, 1);
    order.splice(index + by, 0, item!);
    return run(async () => {
      for (const [position, p] of order.entries()) {
        const sortOrder = (position + 1) * 10;
        if (p.sortOrder !== sortOrder) {
          await api(`/v1/admin/platforms/${p.id}`, { method: 'PATCH', body: { sortOrder } });
        }
      }
    });
  }

  const list = data?.items ?? [];
  return (
    <>
      <header className="page-head">
        <h1>{t('platforms.title')}</h1>
        {notice && (
          <span className="notice" role="status">
            {notice}
          </span>
        )}
      </header>
      <ErrorBox message={error} onRetry={reload} />
      <ErrorBox message={actionError} />
      <Card>
        {!data ? (
          <Loading />
        ) : (
          <table className="platforms">
            <thead>
              <tr>
                <th scope="col">{t('platforms.logoHeader')}</th>
                <th scope="col">{t('platforms.name')}</th>
                <th scope="col">{t('platforms.slug')}</th>
                <th scope="col">{t('platforms.colour')}</th>
                <th scope="col" className="num">
                  {t('platforms.order')}
                </th>
                <th scope="col">{t('common.status')}</th>
                {canEdit && <th scope="col">{t('common.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {list.map((p, index) => (
                <tr key={p.id}>
                  <td>
                    {p.logoUrl ? (
                      <img className="logo-cell" src={p.logoUrl} alt={t('platforms.logoAlt', { name: p.name })} />
                    ) : (
                      <span
                        className="logo-placeholder"
                        style={{ background: p.brandColour }}
                        role="img"
                        aria-label={t('platforms.noLogo')}
                      >
                        {p.name.slice(0, 1)}
                      </span>
                    )}
                  </td>
                  <td>
                    {editing === p.id ? (
                      <PlatformForm
                        editing
                        initial={{
                          slug: p.slug,
                          name: p.name,
                          brandColour: p.brandColour,
                          sortOrder: String(p.sortOrder),
                          logo: null,
                        }}
                        onSubmit={(form) => update(p, form)}
                        onCancel={() => setEditing(null)}
                      />
                    ) : (
                      <strong>{p.name}</strong>
                    )}
                  </td>
                  <td>
                    <code>{p.slug}</code>
                  </td>
                  <td>
                    <span className="swatch" style={{ background: p.brandColour }} aria-hidden="true" /> {p.brandColour}
                  </td>
                  <td className="num">{p.sortOrder}</td>
                  <td>
                    {p.enabled ? (
                      <Badge value="active" label={t('common.enabled')} />
                    ) : (
                      <Badge value="closed" label={t('common.disabled')} />
                    )}
                  </td>
                  {canEdit && (
                    <td className="actions">
                      <button
                        type="button"
                        className="link"
                        onClick={() => setEditing(p.id)}
                        aria-label={`${t('platforms.edit')} ${p.name}`}
                      >
                        {t('platforms.edit')}
                      </button>
                      <button
                        type="button"
                        className="link"
                        aria-label={`${p.enabled ? t('platforms.disable') : t('platforms.enable')} ${p.name}`}
                        onClick={() =>
                          void run(() =>
                            api(`/v1/admin/platforms/${p.id}`, { method: 'PATCH', body: { enabled: !p.enabled } }),
                          )
                        }
                      >
                        {p.enabled ? t('platforms.disable') : t('platforms.enable')}
                      </button>
                      <button
                        type="button"
                        className="icon"
                        disabled={index === 0}
                        aria-label={`${t('platforms.up')} ${p.name}`}
                        onClick={() => void move(list, index, -1)}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        className="icon"
                        disabled={index === list.length - 1}
                        aria-label={`${t('platforms.down')} ${p.name}`}
                        onClick={() => void move(list, index, 1)}
                      >
                        ↓
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {canEdit && (
        <Card title={t('platforms.add')}>
          <PlatformForm
            key={formKey}
            editing={false}
            initial={EMPTY}
            logoPending={logoPending}
            onSubmit={create}
            onCancel={logoPending ? resetAddForm : undefined}
            cancelLabel={t('platforms.skipLogo')}
          />
        </Card>
      )}
    </>
  );
}
