import { useStudio } from '../store';

/** The running job's progress, from the engine's per-batch events. */
export function JobProgressBar() {
  const progress = useStudio((s) => s.progress);
  if (!progress) return <div className="progress-slot" />;
  return (
    <div className="progress-slot">
      <div
        className="progress"
        data-testid="progress"
        data-value={progress.fraction}
        role="progressbar"
        aria-label={progress.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(progress.fraction * 100)}
      >
        <div className="progress-fill" style={{ width: `${progress.fraction * 100}%` }} />
      </div>
      <span className="progress-label">{progress.label}</span>
    </div>
  );
}
