import { useEffect, useId, useRef, useState } from 'react';
import { useStudio } from '../store';
import { formatMs } from '../format';

const LABEL = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' } as const;

/** Shows the backend in use; opens to say why each other one is not. */
export function BackendBadge() {
  const report = useStudio((s) => s.backend);
  const fatal = useStudio((s) => s.fatal);
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  if (!report) {
    return <span className="badge badge-pending" data-testid="backend" data-value="">{fatal ? 'No backend' : 'Choosing backend…'}</span>;
  }
  return (
    <div className="badge-wrap" ref={ref}>
      <button
        type="button"
        className={`badge badge-${report.active}`}
        data-testid="backend"
        data-value={report.active}
        data-software={report.software}
        data-chosen-by={report.chosenBy}
        title={report.why}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        {LABEL[report.active]}
        {report.software && <span className="badge-note">software</span>}
      </button>
      {open && (
        <div className="popover" id={panelId} data-testid="backend-report" role="dialog" aria-label="Backend choice">
          <p className="popover-title">
            Tensor backend: <strong>{LABEL[report.active]}</strong>
            {report.forced && <> (forced by <code>?backend={report.forced}</code>)</>}
          </p>
          {report.device && <p className="muted">Device: {report.device}</p>}
          <p data-testid="backend-why">{report.why}</p>
          <ol className="attempts">
            {report.attempts.map((a) => (
              <li key={a.name} data-testid="backend-attempt" data-backend={a.name} data-ok={a.ok}>
                <strong>{LABEL[a.name]}</strong>{' '}
                {a.ok
                  ? <span className="ok">in use{a.ms ? `, ready in ${formatMs(a.ms)}` : ''}{a.probeMs !== undefined ? `, ${formatMs(a.probeMs)} per probe step` : ''}</span>
                  : <span className="muted">skipped: {a.reason}</span>}
              </li>
            ))}
          </ol>
          <p className="muted small">
            Order tried: WebGPU, WebGL, WASM, CPU; each must pass a small known computation. A GPU backend on a
            hardware GPU is kept first; without one, each working backend times the same short training step and the
            fastest is kept. Force one with <code>?backend=webgpu</code>, <code>webgl</code>, <code>wasm</code> or
            <code> cpu</code>; measure them all with <code>?backend=fastest</code>.
          </p>
        </div>
      )}
    </div>
  );
}
