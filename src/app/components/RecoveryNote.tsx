import { useStudio } from '../store';
import { dismissRecovery } from '../studioActions';
import './sessions.css';

/** What happened when the engine crashed and was brought back. */
export function RecoveryNote() {
  const recovery = useStudio((s) => s.recovery);
  if (!recovery) return null;
  return (
    <div className="recovery-note" role="status" data-testid="recovery" data-backend={recovery.backend} data-step={recovery.step ?? ''}
      data-interrupted={recovery.interrupted ?? ''} data-ms={Math.round(recovery.ms)}>
      <span>{recovery.note}</span>
      <button type="button" className="ghost" onClick={dismissRecovery} aria-label="Dismiss">×</button>
    </div>
  );
}
