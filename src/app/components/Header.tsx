import { canAct, useStudio } from '../store';
import { switchDemoModel } from '../studioActions';
import { BackendBadge } from './BackendBadge';
import { OpenModel } from './OpenModel';
import { HelpButton } from './Help';

export function Header() {
  const catalog = useStudio((s) => s.catalog);
  const modelId = useStudio((s) => s.modelId);
  const free = useStudio(canAct);
  const userModel = useStudio((s) => (s.summary && s.summary.source.kind !== 'demo' ? s.summary.name : null));
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
        <OpenModel />
        <label className="field">
          <span className="field-label">Model</span>
          <select
            data-testid="model-picker"
            value={modelId ?? ''}
            disabled={!catalog || !free}
            onChange={(e) => void switchDemoModel(e.target.value)}
          >
            {!catalog && <option value="">Loading…</option>}
            {userModel && <option value={modelId!}>{userModel} (yours)</option>}
            {catalog?.models.map((m) => (
              <option key={m.id} value={m.id}>Demo: {m.name}</option>
            ))}
          </select>
        </label>
        <HelpButton />
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
