import { useState, type FormEvent } from 'react';
import { publicApi, setSession } from '../api';
import { LanguageSwitch, useI18n } from '../i18n';
import { ErrorBox, messageOf } from '../components/ui';

interface Challenge {
  challengeToken: string;
  expiresAt: string;
}

/** Password, then the authenticator code; the session starts only after the second factor. */
export function SignIn() {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submitPassword(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setChallenge(await publicApi<Challenge>('/v1/admin/auth/sign-in', { username: username.trim(), password }));
      setPassword('');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function submitCode(e: FormEvent) {
    e.preventDefault();
    if (!challenge) return;
    setBusy(true);
    setError(undefined);
    try {
      const session = await publicApi<{ accessToken: string; refreshToken: string; expiresAt: string }>(
        '/v1/admin/auth/second-factor',
        { challengeToken: challenge.challengeToken, code: code.trim() },
      );
      setSession({
        accessToken: session.accessToken,
        refreshToken: session.refreshToken,
        expiresAt: session.expiresAt,
      });
    } catch (err) {
      setError(messageOf(err));
      setCode('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="signin">
      <div className="signin-card">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            G
          </span>
          <span>{t('app.name')}</span>
        </div>
        <h1>{t('signIn.title')}</h1>
        <ErrorBox message={error} />
        {!challenge ? (
          <form onSubmit={(e) => void submitPassword(e)}>
            <label>
              {t('signIn.username')}
              <input
                name="username"
                autoComplete="username"
                required
                autoFocus
                value={username}
                onChange={(e) => setUsername(e.target.value)}
              />
            </label>
            <label>
              {t('signIn.password')}
              <input
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
            <button type="submit" disabled={busy}>
              {t('signIn.continue')}
            </button>
          </form>
        ) : (
          <form onSubmit={(e) => void submitCode(e)}>
            <label>
              {t('signIn.code')}
              <input
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                required
                autoFocus
                aria-describedby="code-hint"
                value={code}
                onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
              />
            </label>
            <p id="code-hint" className="muted">
              {t('signIn.codeHint')}
            </p>
            <button type="submit" disabled={busy}>
              {t('signIn.verify')}
            </button>
            <button
              type="button"
              className="link"
              onClick={() => {
                setChallenge(null);
                setCode('');
                setError(undefined);
              }}
            >
              {t('signIn.back')}
            </button>
          </form>
        )}
        <LanguageSwitch />
      </div>
    </div>
  );
}
