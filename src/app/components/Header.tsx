import { useStudio } from '../store';
import { switchDemoModel } from '../studioActions';
import { BackendBadge } from './BackendBadge';

export function Header() {
  const catalog = useStudio((s) => s.catalog);
  const modelId = useStudio((s) => s.modelId);
  const status = useStudio((s) => s.status);
  return (
    <header className="header">
      <div className="brand">
        <svg className="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="6" cy="18" r="3" /><circle cx="18" cy="18" r="3" />
          <path d="M8 16 L19 3 M16 16 L5 3" />
        </svg>
        <span className="brand-name">Secateur</span>
        <span className="brand-tag">pruning studio for TensorFlow.js</span>
      </div>
      <div className="header-tools">
        <label className="field">
          <span className="field-label">Demo model</span>
          <select
            data-testid="model-picker"
            value={modelId ?? ''}
            disabled={!catalog || status === 'busy'}
            onChange={(e) => void switchDemoModel(e.target.value)}
          >
            {!catalog && <option value="">Loading…</option>}
            {catalog?.models.map((m) => (
              <option key={m.id} value={m.id}>{m.name}</option>
            ))}
          </select>
        </label>
        <StatusPill />
        <BackendBadge />
      </div>
    </header>
  );
}

function StatusPill() {
  const status = useStudio((s) => s.status);
  const progress = useStudio((s) => s.progress);
  const text = status === 'busy' ? progress?.label ?? 'Working…' : status === 'error' ? 'Stopped' : 'Ready';
  return (
    <span className={`pill pill-${status}`} title={text}>
      <span className="pill-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
