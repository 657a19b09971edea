import { useStudio } from '../store';
import { formatBytes, formatMs } from '../format';
import { clockTime } from './RestoreOffer';
import './sessions.css';

/** The history's memory against its budget, and where autosave stands. */
export function HistoryBudget() {
  const budget = useStudio((s) => s.budget);
  const autosave = useStudio((s) => s.autosave);
  const used = budget?.used ?? 0;
  const limit = budget?.limit ?? 0;
  const fraction = limit > 0 ? Math.min(1, used / limit) : 0;
  return (
    <div className="history-budget small" data-testid="history-budget" data-used={used} data-limit={limit}
      title="Memory the history's steps hold in this tab (weights of starting points, masks of prune steps), against the budget">
      <span className="muted">History in memory: {budget ? `${formatBytes(used)} of ${formatBytes(limit)}` : '—'}</span>
      <span className="budget-bar" aria-hidden="true"><span className={`budget-fill${used > limit ? ' over' : ''}`} style={{ width: `${fraction * 100}%` }} /></span>
      <span className="muted" data-testid="autosave" data-state={autosave?.state ?? 'idle'} data-steps={autosave?.steps ?? 0} data-ms={autosave ? Math.round(autosave.ms) : 0} aria-live="polite">
        {!autosave ? 'Saved after the first step' : autosave.state === 'saving' ? 'Saving…'
          : autosave.state === 'error' ? 'Not saved (see the message above)'
          : autosave.savedAt ? `Saved ${clockTime(autosave.savedAt)} (${autosave.steps} steps, ${formatMs(autosave.ms)})` : 'Saved after the first step'}
      </span>
    </div>
  );
}
