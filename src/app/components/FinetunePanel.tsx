import { useState } from 'react';
import type { FinetuneOptions } from '../../engine/api';
import { canAct, useStudio } from '../store';
import { cancelFinetune, pauseFinetune, recalibrateBatchNorm, resumeFinetune, startFinetune } from '../studioActions';
import { formatCount, formatMs } from '../format';
import { GraphLock } from './GraphLock';

const LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01];
/** Penalty weight: strong enough to move the histogram within an epoch, weak enough not to wreck accuracy. */
const REGULARIZER_STRENGTH = 1e-4;

/** Fine-tune the current model: settings, a start/cancel button, live step, loss curve and ETA. */
export function FinetunePanel() {
  const [options, setOptions] = useState<FinetuneOptions>({ epochs: 1, learningRate: 0.001, optimizer: 'adam', batchSize: 64, targets: 'labels' });
  const labelled = useStudio((s) => s.summary?.source.labelled ?? true);
  const distil = !labelled || options.targets === 'distill';
  const metricName = labelled ? 'accuracy' : 'fidelity';
  const hasBatchNorm = useStudio((s) => s.summary?.layers.some((l) => l.className === 'BatchNormalization') ?? false);
  const controls = useStudio((s) => s.controls);
  const [schedule, setSchedule] = useState<'none' | 'iterative' | 'agp'>('none');
  const [finalPct, setFinalPct] = useState(90);
  const [rounds, setRounds] = useState(10);
  const scheduleGranularity = controls.granularity === 'channels' ? null : controls.granularity;
  const scheduleValid = schedule === 'none' || (scheduleGranularity !== null && finalPct > 0 && finalPct < 100 && Number.isInteger(rounds) && rounds >= 1 && rounds <= 100);
  const request = (): FinetuneOptions => ({
    ...options,
    schedule: schedule === 'none' || !scheduleGranularity ? null : {
      kind: schedule, final: finalPct / 100, rounds, granularity: scheduleGranularity, criterion: controls.criterion,
    },
  });
  const training = useStudio((s) => s.training);
  const progress = useStudio((s) => s.progress);
  const free = useStudio(canAct);
  const catalog = useStudio((s) => s.catalog);
  const data = useStudio((s) => s.data);
  const ready = useStudio((s) => s.currentPointId !== null && !s.fatal);
  const running = training !== null && training.outcome === null;
  const t = running && progress?.jobId === training.jobId ? progress.train : undefined;
  const paused = running && progress?.jobId === training.jobId && progress.paused === true;
  const set = (patch: Partial<FinetuneOptions>) => setOptions((o) => ({ ...o, ...patch }));
  const epochsValid = Number.isFinite(options.epochs) && options.epochs > 0 && options.epochs <= 50;
  return (
    <section className="panel finetune-panel" aria-labelledby="finetune-title">
      <div className="panel-head">
        <h2 id="finetune-title">Fine-tune</h2>
        <span className="muted small">
          {data ? <>on the {formatCount(data.train)} training examples of your data</>
            : labelled ? <>on the {catalog ? formatCount(catalog.dataset.trainCount) : ''} demo training images</> : <>on generated inputs</>}
          {distil ? ', learning the original model\'s outputs' : ''}; pruned weights stay exactly 0; BatchNorm statistics stay fixed
        </span>
      </div>
      <GraphLock>
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
          <span className="field-label">Targets</span>
          <select data-testid="finetune-targets" value={labelled ? options.targets : 'distill'} disabled={running || !labelled}
            title={labelled ? undefined : 'This model has no labelled data here: it learns from the original model'}
            onChange={(e) => set({ targets: e.target.value as FinetuneOptions['targets'] })}>
            <option value="labels">Labels</option>
            <option value="distill">Distil from original (no labels)</option>
          </select>
        </label>
        <label className="stacked">
          <span className="field-label">Batch size</span>
          <select value={options.batchSize} disabled={running} onChange={(e) => set({ batchSize: Number(e.target.value) })}>
            {[32, 64, 128].map((b) => <option key={b} value={b}>{b}</option>)}
          </select>
        </label>
        <label className="stacked">
          <span className="field-label">Prune while training</span>
          <select data-testid="finetune-schedule" value={schedule} disabled={running}
            title="Iterative: prune a little, train, repeat. Gradual (AGP): sparsity rises along Zhu & Gupta's cubic while training."
            onChange={(e) => setSchedule(e.target.value as typeof schedule)}>
            <option value="none">No</option>
            <option value="iterative">Iterative</option>
            <option value="agp">Gradual</option>
          </select>
        </label>
        {schedule !== 'none' && (
          <>
            <label className="stacked">
              <span className="field-label">To sparsity (%)</span>
              <input type="number" data-testid="finetune-final" min={1} max={99} step={1} value={finalPct} disabled={running}
                aria-invalid={!(finalPct > 0 && finalPct < 100)} onChange={(e) => setFinalPct(Number(e.target.value))} />
            </label>
            <label className="stacked">
              <span className="field-label">Pruning steps</span>
              <input type="number" data-testid="finetune-rounds" min={1} max={100} step={1} value={rounds} disabled={running}
                aria-invalid={!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 100)} onChange={(e) => setRounds(Number(e.target.value))} />
            </label>
          </>
        )}
        <label className="stacked">
          <span className="field-label">Sparsity penalty</span>
          <select data-testid="finetune-regularizer" value={options.regularizer?.kind ?? 'none'} disabled={running}
            title="Pushes weights toward zero while training, so the next prune removes weights that are already small"
            onChange={(e) => set({ regularizer: e.target.value === 'none' ? null : { kind: e.target.value as 'l1' | 'groupLasso' | 'bnGamma', strength: REGULARIZER_STRENGTH } })}>
            <option value="none">None</option>
            <option value="l1">L1 on kernels</option>
            <option value="groupLasso">Group lasso on channels</option>
            <option value="bnGamma" disabled={!hasBatchNorm}>L1 on BatchNorm gamma</option>
          </select>
        </label>
        {running ? (
          <span className="button-row">
            <button type="button" className="button" data-testid="pause-finetune" aria-pressed={paused}
              onClick={paused ? resumeFinetune : pauseFinetune}>{paused ? 'Resume' : 'Pause'}</button>
            <button type="button" className="button" data-testid="cancel-finetune" onClick={cancelFinetune}>Cancel</button>
          </span>
        ) : (
          <span className="button-row">
            <button type="button" className="button primary" data-testid="finetune" disabled={!ready || !free || !epochsValid || !scheduleValid}
              onClick={() => void startFinetune(request())}>{schedule === 'none' ? 'Fine-tune' : 'Prune and fine-tune'}</button>
            <button type="button" className="button" data-testid="recalibrate-bn" disabled={!ready || !free || !hasBatchNorm}
              title={hasBatchNorm ? 'Re-estimate BatchNorm statistics on 256 inputs: no labels, no gradients' : 'This model has no BatchNorm layer'}
              onClick={() => void recalibrateBatchNorm()}>Recalibrate BatchNorm</button>
          </span>
        )}
      </div>
      </GraphLock>
      {!epochsValid && <p className="field-error small">Epochs must be more than 0 and at most 50.</p>}
      {schedule !== 'none' && (
        <p className="muted small">
          {scheduleGranularity
            ? <>Prunes {scheduleGranularity === 'unstructured' ? 'weights' : `${scheduleGranularity} groups`} by {controls.criterion} while training, in {rounds} steps up to {finalPct}%
              {schedule === 'agp' ? ' along the AGP cubic (fast first, slow last)' : ', each removing the same share of what is left'}; the last quarter of training runs at the final sparsity.
              Every pruning step appears in the history as it happens.</>
            : <>Channel removal changes the model's shape: remove channels with the sliders first, then fine-tune the smaller model.</>}
        </p>
      )}
      {training && (
        <div className="train-status" aria-live="polite">
          <Sparkline testId="loss-curve" label="loss" format={(v) => v.toFixed(2)} values={training.losses.map((y, i) => ({ x: i + 1, y }))} />
          <Sparkline testId="metric-curve" label={metricName} format={(v) => `${(v * 100).toFixed(1)}%`}
            values={training.metrics.map((m) => ({ x: m.step, y: m.value }))} />
          <div className="small">
            {t && (
              <span data-testid="finetune-step" data-step={t.step} data-total={t.totalSteps}>
                Step {formatCount(t.step)} / {formatCount(t.totalSteps)} · loss {t.loss.toFixed(3)} · about {formatMs(t.etaMs)} left ·
                zeros kept {formatCount(t.zerosKept)} / {formatCount(t.zerosPruned)}
                {t.metric !== undefined && <> · {metricName} {(t.metric * 100).toFixed(1)}% at step {t.metricStep} (first 100 held-out examples)</>}
                {paused && <strong data-testid="finetune-paused"> · paused</strong>}
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

/** A small line: the training loss per step, or the held-out metric every few steps. */
function Sparkline({ values, label, format, testId }: { values: { x: number; y: number }[]; label: string; format: (v: number) => string; testId: string }) {
  if (values.length < 2) return <svg className="loss-curve" aria-hidden="true" data-testid={testId} data-count={values.length} />;
  const w = 160;
  const h = 40;
  const ys = values.map((v) => v.y);
  const max = Math.max(...ys);
  const min = Math.min(...ys);
  const span = max - min || 1;
  const x0 = values[0].x;
  const xs = values[values.length - 1].x - x0 || 1;
  const points = values.map((v) => `${(((v.x - x0) / xs) * w).toFixed(1)},${(h - 2 - ((v.y - min) / span) * (h - 4)).toFixed(1)}`).join(' ');
  return (
    <svg className="loss-curve" viewBox={`0 0 ${w} ${h}`} role="img" data-testid={testId} data-count={values.length}
      aria-label={`${label} from ${format(values[0].y)} to ${format(values[values.length - 1].y)}`}>
      <polyline points={points} />
      <text x={w} y={10} textAnchor="end">{label} {format(max)}</text>
      <text x={w} y={h - 2} textAnchor="end">{format(min)}</text>
    </svg>
  );
}
