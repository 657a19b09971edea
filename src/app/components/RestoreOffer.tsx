import { canAct, useStudio } from '../store';
import { dismissRestore, openSession } from '../studioActions';
import { formatCount } from '../format';
import './sessions.css';

/** "HH:MM" of a time in ms, in the user's clock. */
export const clockTime = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });

/** At start: the newest saved session, one click from coming back. */
export function RestoreOffer() {
  const offer = useStudio((s) => s.restoreOffer);
  const free = useStudio(canAct);
  if (!offer) return null;
  const steps = `${formatCount(offer.steps)} step${offer.steps === 1 ? '' : 's'}`;
  return (
    <section className="restore-offer" aria-label="Restore a saved session" data-testid="restore-offer">
      <p>
        Restore the session of {clockTime(offer.savedAt)}: <strong>{offer.model}</strong>, {steps}
        {offer.name !== offer.model ? <span className="muted"> ("{offer.name}")</span> : null}?
      </p>
      <button type="button" className="button primary" data-testid="session-restore" disabled={!free} onClick={() => void openSession(offer.id)}>
        Restore
      </button>
      <button type="button" className="button" data-testid="session-dismiss" onClick={dismissRestore}>
        Dismiss
      </button>
    </section>
  );
}
