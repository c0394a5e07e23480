import { useState } from 'preact/hooks';
import { ApiError, signIn } from '../api.js';

const MESSAGES = {
  WRONG_LOGIN: 'Wrong login or password.',
  TOO_MANY_ATTEMPTS: 'Too many failed sign-ins. Wait a minute and try again.',
  HTTPS_REQUIRED: 'This server accepts sign-ins over HTTPS only.',
};

export function Login({ onSignedIn }) {
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setMessage('');
    try {
      onSignedIn(await signIn(String(form.get('login')), String(form.get('password'))));
    } catch (error) {
      setMessage(error instanceof ApiError ? MESSAGES[error.code] ?? `Sign-in failed (${error.code}).` : String(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <h1>Salestrace</h1>
      <p>Sign in with your Salestrace login and password.</p>
      <form onSubmit={submit}>
        <label>
          Login
          <input name="login" autocomplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {message ? (
          <p class="error" role="alert">
            {message}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <p class="hint">
        No password yet? The administrator sets one on the server with <code>salestrace user passwd 1</code>.
      </p>
    </main>
  );
}
