import { useEffect, useRef, useState } from 'react';
import { canAct, useStudio } from '../store';
import { cancelPassphrase, submitPassphrase } from '../studioActions';
import './sessions.css';

/** Asks for the passphrase of an encrypted drop; stays open with the reason after a failed try. */
export function PassphraseDialog() {
  const unlock = useStudio((s) => s.unlock);
  const free = useStudio(canAct);
  const [passphrase, setPassphrase] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (unlock) input.current?.focus();
    else setPassphrase('');
  }, [unlock?.file, unlock?.error]);
  if (!unlock) return null;
  return (
    <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && cancelPassphrase()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="unlock-title" data-testid="open-passphrase-dialog">
        <h2 id="unlock-title">Encrypted model</h2>
        <p className="muted small">
          <strong>{unlock.file}</strong> is sealed with a passphrase (AES-256-GCM, key from PBKDF2-SHA256). It is decrypted here, in this tab.
        </p>
        <form onSubmit={(e) => { e.preventDefault(); void submitPassphrase(passphrase); }}>
          <label className="stacked">
            <span className="field-label">Passphrase</span>
            <input ref={input} type="password" autoComplete="off" data-testid="open-passphrase" value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)} aria-invalid={unlock.error ? true : undefined} />
          </label>
          {unlock.error && <p className="dialog-error" role="alert" data-testid="open-passphrase-error">{unlock.error}</p>}
          <div className="button-row">
            <button type="submit" className="button primary" data-testid="open-passphrase-submit" disabled={!free || passphrase === ''}>
              {free ? 'Open' : 'Decrypting…'}
            </button>
            <button type="button" className="button" onClick={cancelPassphrase}>Cancel</button>
          </div>
        </form>
      </div>
    </div>
  );
}
