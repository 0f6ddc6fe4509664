import { useState } from 'react';
import { post, setSession, type Session } from '../api';
import { Problem } from '../components/Screen';
import { explain, useI18n } from '../i18n';

const normalisePhone = (text: string) => {
  const digits = text.replace(/[\s-]/g, '');
  return /^[6-9]\d{9}$/.test(digits) ? `+91${digits}` : digits;
};

export function SignIn() {
  const { t, lang, setLang } = useI18n();
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');

  async function sendCode() {
    setBusy(true);
    setProblem('');
    try {
      await post('/v1/auth/codes', { phone: normalisePhone(phone) });
      setSent(true);
    } catch (err) {
      setProblem(explain(err, t, lang));
    } finally {
      setBusy(false);
    }
  }

  async function signIn() {
    setBusy(true);
    setProblem('');
    try {
      setSession(await post<Session>('/v1/auth/sign-in', { phone: normalisePhone(phone), code: code.trim() }));
    } catch (err) {
      setProblem(explain(err, t, lang));
      setBusy(false);
    }
  }

  return (
    <div className="signin">
      <div className="signin-hero">
        <img src="/app/icons/icon.svg" alt="" width="64" height="64" />
        <h1>{t('signInTitle')}</h1>
        <p>{t('signInIntro')}</p>
      </div>
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void (sent ? signIn() : sendCode());
        }}
      >
        {!sent ? (
          <div className="field">
            <label htmlFor="phone">{t('phoneLabel')}</label>
            <input
              id="phone"
              type="tel"
              inputMode="tel"
              autoComplete="tel-national"
              placeholder="98765 43210"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              required
            />
            <small className="muted">{t('phoneHint')}</small>
          </div>
        ) : (
          <div className="field">
            <p>{t('codeSentTo', { phone: normalisePhone(phone) })}</p>
            <label htmlFor="code">{t('codeLabel')}</label>
            <input
              id="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
              required
            />
          </div>
        )}
        <Problem>{problem}</Problem>
        <button type="submit" className="primary" disabled={busy}>
          {sent ? t('signIn') : t('sendCode')}
        </button>
        {sent ? (
          <button type="button" className="link" onClick={() => (setSent(false), setCode(''))}>
            {t('changeNumber')}
          </button>
        ) : null}
      </form>
      <div className="lang-switch" role="group" aria-label={t('language')}>
        <button type="button" aria-pressed={lang === 'en'} onClick={() => setLang('en')}>
          English
        </button>
        <button type="button" aria-pressed={lang === 'hi'} onClick={() => setLang('hi')}>
          हिन्दी
        </button>
      </div>
    </div>
  );
}
