import { useState } from 'react';
import type { FinetuneOptions } from '../../engine/api';
import { useStudio } from '../store';
import { cancelFinetune, startFinetune } from '../studioActions';
import { formatCount, formatMs } from '../format';

const LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01];

/** Fine-tune the current model: settings, a start/cancel button, live step, loss curve and ETA. */
export function FinetunePanel() {
  const [options, setOptions] = useState<FinetuneOptions>({ epochs: 1, learningRate: 0.001, optimizer: 'adam', batchSize: 64 });
  const training = useStudio((s) => s.training);
  const progress = useStudio((s) => s.progress);
  const status = useStudio((s) => s.status);
  const catalog = useStudio((s) => s.catalog);
  const ready = useStudio((s) => s.currentPointId !== null && !s.fatal);
  const running = training !== null && training.outcome === null;
  const t = running && progress?.jobId === training.jobId ? progress.train : undefined;
  const set = (patch: Partial<FinetuneOptions>) => setOptions((o) => ({ ...o, ...patch }));
  const epochsValid = Number.isFinite(options.epochs) && options.epochs > 0 && options.epochs <= 50;
  return (
    <section className="panel finetune-panel" aria-labelledby="finetune-title">
      <div className="panel-head">
        <h2 id="finetune-title">Fine-tune</h2>
        <span className="muted small">
          on the {catalog ? formatCount(catalog.dataset.trainCount) : ''} demo training images; pruned weights stay exactly 0;
          BatchNorm statistics stay fixed
        </span>
      </div>
      <div className="finetune-grid">
        <label className="stacked">
          <span className="field-label">Epochs</span>
          <input type="number" data-testid="finetune-epochs" min={0.05} max={50} step={0.05} value={options.epochs} disabled={running}
            aria-invalid={!epochsValid} onChange={(e) => set({ epochs: Number(e.target.value) })} />
        </label>
        <label className="stacked">
          <span className="field-label">Optimizer</span>
          <select data-testid="finetune-optimizer" value={options.optimizer} disabled={running}
            onChange={(e) => set({ optimizer: e.target.value as FinetuneOptions['optimizer'] })}>
            <option value="adam">Adam</option>
            <option value="sgd">SGD, momentum 0.9</option>
          </select>
        </label>
        <label className="stacked">
          <span className="field-label">Learning rate</span>
          <select data-testid="finetune-lr" value={options.learningRate} disabled={running} onChange={(e) => set({ learningRate: Number(e.target.value) })}>
            {LEARNING_RATES.map((lr) => <option key={lr} value={lr}>{lr}</option>)}
          </select>
        </label>
        <label className="stacked">
          <span className="field-label">Batch size</span>
          <select value={options.batchSize} disabled={running} onChange={(e) => set({ batchSize: Number(e.target.value) })}>
            {[32, 64, 128].map((b) => <option key={b} value={b}>{b}</option>)}
          </select>
        </label>
        {running ? (
          <button type="button" className="button" data-testid="cancel-finetune" onClick={cancelFinetune}>Cancel</button>
        ) : (
          <button type="button" className="button primary" data-testid="finetune" disabled={!ready || status !== 'idle' || !epochsValid}
            onClick={() => void startFinetune(options)}>Fine-tune</button>
        )}
      </div>
      {!epochsValid && <p className="field-error small">Epochs must be more than 0 and at most 50.</p>}
      {training && (
        <div className="train-status" aria-live="polite">
          <LossCurve losses={training.losses} />
          <div className="small">
            {t && (
              <span data-testid="finetune-step" data-step={t.step} data-total={t.totalSteps}>
                Step {formatCount(t.step)} / {formatCount(t.totalSteps)} · loss {t.loss.toFixed(3)} · about {formatMs(t.etaMs)} left ·
                zeros kept {formatCount(t.zerosKept)} / {formatCount(t.zerosPruned)}
              </span>
            )}
            {running && !t && <span>Starting…</span>}
            {training.outcome && <span data-testid="finetune-outcome">{training.outcome}</span>}
          </div>
        </div>
      )}
    </section>
  );
}

/** Training loss per step, as a small line. */
function LossCurve({ losses }: { losses: number[] }) {
  if (losses.length < 2) return <svg className="loss-curve" aria-hidden="true" />;
  const w = 160;
  const h = 40;
  const max = Math.max(...losses);
  const min = Math.min(...losses);
  const span = max - min || 1;
  const points = losses.map((l, i) => `${((i / (losses.length - 1)) * w).toFixed(1)},${(h - 2 - ((l - min) / span) * (h - 4)).toFixed(1)}`).join(' ');
  return (
    <svg className="loss-curve" viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`Training loss from ${losses[0].toFixed(3)} to ${losses[losses.length - 1].toFixed(3)}`}>
      <polyline points={points} />
      <text x={w} y={10} textAnchor="end">loss {max.toFixed(2)}</text>
      <text x={w} y={h - 2} textAnchor="end">{min.toFixed(2)}</text>
    </svg>
  );
}
