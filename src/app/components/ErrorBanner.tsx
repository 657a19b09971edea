import { useStudio } from '../store';
import { dismissError } from '../studioActions';

export function ErrorBanner() {
  const error = useStudio((s) => s.error);
  const fatal = useStudio((s) => s.fatal);
  if (!error) return null;
  return (
    <div className="error-banner" role="alert">
      <span data-testid="error">{error}</span>
      {!fatal && (
        <button type="button" className="ghost" onClick={dismissError} aria-label="Dismiss error">
          ×
        </button>
      )}
    </div>
  );
}
