import { useEffect } from 'react';
import type { ChannelNorm, Criterion, Granularity } from '../../engine/api';
import { useStudio } from '../store';
import { setChannelNorm, setCriterion, setGlobalSparsity, setGranularity } from '../studioActions';
import { isNM } from '../pruneControls';
import { formatPercent } from '../format';
import { useGraphModel } from './GraphLock';

/** Why a graph model has no Taylor criterion (core/graphModel/graphPruning.ts says the same when asked). */
const GRAPH_NO_TAYLOR = 'Taylor needs gradients, and a graph model has none here: its weights are constants TF.js cannot differentiate.';

const GRANULARITY_LABEL: Record<Granularity, string> = {
  unstructured: 'Unstructured',
  '2:4': '2:4 semi-structured',
  '4:8': '4:8 semi-structured',
  channels: 'Channels',
};

const CRITERION_LABEL: Record<Criterion, string> = {
  magnitude: 'Magnitude |w|',
  random: 'Random (baseline)',
  taylor: 'Taylor |w·∂L/∂w|',
  merge: 'Merge similar units',
};

const EXPLAIN: Record<Granularity, string> = {
  unstructured:
    'Zeros the least important single weights. Sparsity = zeroed weights / prunable weights (the kernels; biases and BatchNorm stay dense). The model keeps its shape: the file shrinks only once compressed (gzip) or quantized, and it runs no faster.',
  '2:4':
    'Keeps the 2 most important of every 4 consecutive weights along each kernel’s input dimension: exactly 50%, in a pattern sparse hardware can accelerate.',
  '4:8':
    'Keeps the 4 most important of every 8 consecutive weights along each kernel’s input dimension: exactly 50%, a looser pattern than 2:4.',
  channels:
    'Removes whole filters or units and rebuilds a smaller model: fewer parameters, fewer MACs, a smaller file and faster inference. Layers joined by a dependency (conv → BatchNorm → next conv) move together; output layers are never pruned. Magnitude ranks each channel by the L1 or L2 norm of all its weights (kernel slices, bias, BatchNorm).',
};

const MERGE_EXPLAIN =
  'Merge similar units (data-free, after Srinivas & Babu 2015): in each group, the units whose incoming weights are most alike are paired; one goes and its outgoing weights are added to the other, so the next layer sees almost what it saw. Needs a Dense or convolution layer after the group.';

/** Granularity, criterion and the global target. */
export function PrunePanel() {
  const controls = useStudio((s) => s.controls);
  const summary = useStudio((s) => s.summary);
  const ready = useStudio((s) => s.currentPointId !== null && !s.fatal);
  const nm = isNM(controls.granularity);
  const graph = useGraphModel();
  // A graph model has no gradients (Taylor) and removes channels rather than merging them.
  useEffect(() => {
    if (graph && (controls.criterion === 'taylor' || controls.criterion === 'merge')) setCriterion('magnitude');
  }, [graph, controls.criterion]);
  const globalPct = Math.round((controls.mode === 'global' ? controls.global : (summary?.totals.prunableSparsity ?? 0)) * 100);
  return (
    <section className="panel prune-panel" aria-labelledby="prune-title">
      <div className="panel-head">
        <h2 id="prune-title">Prune</h2>
        <span className="muted small">each change is a one-shot prune of the starting point (the original, or the last fine-tuned model), measured live</span>
      </div>
      <div className="prune-grid">
        <label className="stacked">
          <span className="field-label">Granularity</span>
          <select data-testid="prune-granularity" value={controls.granularity} disabled={!ready}
            onChange={(e) => setGranularity(e.target.value as Granularity)}>
            {(Object.keys(GRANULARITY_LABEL) as Granularity[]).map((g) => <option key={g} value={g}>{GRANULARITY_LABEL[g]}</option>)}
          </select>
        </label>
        <label className="stacked">
          <span className="field-label">Importance</span>
          <select data-testid="prune-criterion" value={controls.criterion} disabled={!ready}
            onChange={(e) => setCriterion(e.target.value as Criterion)}>
            {(Object.keys(CRITERION_LABEL) as Criterion[]).filter((c) => c !== 'merge' || (controls.granularity === 'channels' && !graph))
              .map((c) => (
                <option key={c} value={c} disabled={graph && c === 'taylor'} title={graph && c === 'taylor' ? GRAPH_NO_TAYLOR : undefined}>
                  {CRITERION_LABEL[c]}{graph && c === 'taylor' ? ' (needs gradients: not for graph models)' : ''}
                </option>
              ))}
          </select>
        </label>
        {controls.granularity === 'channels' && controls.criterion === 'magnitude' && (
          <label className="stacked channel-norm">
            <span className="field-label">Channel norm</span>
            <select data-testid="channel-norm" value={controls.channelNorm} disabled={!ready}
              onChange={(e) => setChannelNorm(e.target.value as ChannelNorm)}>
              <option value="l1">L1 (sum of |w|)</option>
              <option value="l2">L2 (root of sum of w²)</option>
            </select>
          </label>
        )}
        <label className="stacked slider-field">
          <span className="field-label">
            {controls.granularity === 'channels' ? 'Channels removed, all layers' : 'Global sparsity'}
            {controls.mode === 'perLayer' && !nm ? ' (set per layer below)' : ''}
          </span>
          <span className="slider-row">
            <input type="range" data-testid="global-sparsity" min={0} max={95} step={1} value={nm ? 50 : globalPct}
              disabled={!ready || nm} aria-valuetext={`${nm ? 50 : globalPct}%`}
              onChange={(e) => setGlobalSparsity(Number(e.target.value) / 100)} />
            <output className="slider-value">{nm ? '50%' : `${globalPct}%`}</output>
          </span>
        </label>
      </div>
      <p className="muted small explain">
        {EXPLAIN[controls.granularity]}
        {controls.granularity === 'channels' && controls.criterion === 'merge' ? ` ${MERGE_EXPLAIN}` : ''}
      </p>
      {summary && (
        <p className="small prune-totals">
          Prunable weights: <strong>{summary.totals.prunableParams.toLocaleString('en-US')}</strong> of{' '}
          {summary.totals.params.toLocaleString('en-US')} parameters, {formatPercent(summary.totals.prunableSparsity)} zero now.
        </p>
      )}
    </section>
  );
}
