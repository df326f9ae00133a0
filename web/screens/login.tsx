// A token-protected dashboard asks for one of the control API's tokens (viewer: sees; operator: acts). The gateway
// trades it for a session cookie (HttpOnly, SameSite=Strict); the page never keeps the token.

import { useState, type FormEvent } from 'react';
import { describeFailure, gateway, type SessionInfo } from '../gateway-client.js';

export function LoginScreen({ onLoggedIn }: { onLoggedIn(session: SessionInfo): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      onLoggedIn(await gateway.login(token));
    } catch (failure) {
      setError(describeFailure(failure));
      setBusy(false);
    }
  };
  return (
    <main id="main" className="login">
      <h1>firewatch</h1>
      <form onSubmit={submit} aria-label="Log in">
        <label>
          <span>Token</span>
          <input type="password" name="token" value={token} autoFocus autoComplete="current-password" onChange={(event) => setToken(event.target.value)} />
        </label>
        <button type="submit" disabled={busy || token.trim() === ''}>
          Log in
        </button>
        {error !== undefined ? (
          <p className="error-note" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </main>
  );
}
