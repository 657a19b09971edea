import { useEffect, useState } from 'react';
import type { ClassDamageView, FlipView } from '../../engine/api';
import { canAct, useStudio } from '../store';
import { measureClassDamage } from '../studioActions';
import { formatPercent } from '../format';
import { ExampleThumb } from './ExampleThumb';
import { useGraphModel } from './GraphLock';

const points = (change: number) => `${change > 0 ? '+' : change < 0 ? '−' : ''}${Math.abs(change * 100).toFixed(1)} pts`;

/**
 * What the current step did to each class, on the live subset: the per-class table (most hurt
 * first), the confusion-matrix change as a heat map, and the examples whose prediction flipped.
 * Measured in the background after each step.
 */
export function ClassDamagePanel() {
  const damage = useStudio((s) => s.damage);
  const currentId = useStudio((s) => s.currentPointId);
  const metric = useStudio((s) => s.summary?.source.metric);
  const free = useStudio(canAct);
  // A graph model is measured as a whole here: no per-example classes to compare.
  const graph = useGraphModel();
  useEffect(() => {
    if (free && currentId !== null && metric !== 'mae' && !graph) void measureClassDamage();
  }, [free, currentId, metric, graph]);
  const stale = damage !== null && damage.pointId !== currentId;
  return (
    <section className="panel damage-panel" aria-labelledby="damage-title" data-testid="class-damage" aria-busy={!graph && (!damage || stale)}>
      <div className="panel-head">
        <h2 id="damage-title">Per-class damage</h2>
        <span className="muted small">
          {graph ? 'for Layers models (a graph model is measured as a whole)' : metric === 'mae' ? 'for classifiers (this model is a regression)' : damage
            ? `current step against the original, on the same ${damage.classes.reduce((n, c) => n + c.count, 0)} held-out examples${damage.metric === 'fidelity' ? ' (classes: the original\'s predictions)' : ''}${stale ? ' · measuring…' : ''}`
            : 'measuring…'}
        </span>
      </div>
      {damage && metric !== 'mae' && !graph && (
        <div className="damage-grid">
          <ClassTable damage={damage} />
          <ConfusionChange damage={damage} />
          <Flips damage={damage} />
        </div>
      )}
    </section>
  );
}

function ClassTable({ damage }: { damage: ClassDamageView }) {
  return (
    <div className="table-scroll">
      <table className="summary compact" aria-label="Accuracy per class">
        <thead><tr><th scope="col">Class</th><th scope="col" className="num">Examples</th><th scope="col" className="num">Original</th><th scope="col" className="num">Current</th><th scope="col" className="num">Change</th></tr></thead>
        <tbody>
          {damage.classes.map((c) => (
            <tr key={c.class} data-testid="class-row" data-class={c.name} data-original={c.original} data-current={c.current}>
              <th scope="row">{c.name}</th>
              <td className="num">{c.count}</td>
              <td className="num">{formatPercent(c.original)}</td>
              <td className="num">{formatPercent(c.current)}</td>
              <td className={`num ${Math.abs(c.change) < 1e-9 ? 'muted' : c.change < 0 ? 'neg' : 'pos'}`}>{Math.abs(c.change) < 1e-9 ? '—' : points(c.change)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** current − original counts: red where more examples land now (a new confusion), green where fewer. */
function ConfusionChange({ damage }: { damage: ClassDamageView }) {
  const { names, change } = damage.confusion;
  const n = names.length;
  const max = Math.max(1, ...change.map(Math.abs));
  return (
    <figure className="confusion" data-testid="confusion-change" data-max={max}>
      <figcaption className="small muted">Confusion change (current − original): rows the true class, columns the prediction.</figcaption>
      <div className="confusion-grid" style={{ gridTemplateColumns: `minmax(70px, auto) repeat(${n}, minmax(18px, 1fr))` }} role="img"
        aria-label={`Confusion matrix change: ${change.filter((v) => v !== 0).length} of ${n * n} cells moved`}>
        <span />
        {names.map((name, c) => <span key={c} className="confusion-col" title={name}>{name.slice(0, 3)}</span>)}
        {names.map((row, r) => [
          <span key={`h${r}`} className="confusion-row small">{row}</span>,
          ...names.map((col, c) => {
            const v = change[r * n + c];
            const worse = r === c ? v < 0 : v > 0;
            // At most 40% colour under the text, so the numbers keep their contrast in both themes.
            const strength = Math.round((Math.abs(v) / max) * 40);
            return (
              <span key={`${r}-${c}`} className={`confusion-cell${r === c ? ' diag' : ''}`} data-row={r} data-col={c} data-value={v}
                title={`true ${row}, predicted ${col}: ${v > 0 ? '+' : ''}${v}`}
                style={{ background: v === 0 ? undefined : `color-mix(in srgb, ${worse ? 'var(--danger)' : 'var(--accent)'} ${Math.max(10, strength)}%, var(--surface-2))` }}>
                {v === 0 ? '' : v > 0 ? `+${v}` : v}
              </span>
            );
          }),
        ])}
      </div>
    </figure>
  );
}

function Flips({ damage }: { damage: ClassDamageView }) {
  const [picked, setPicked] = useState<FlipView | null>(null);
  const { broken, fixed, brokenCount, fixedCount } = damage.flips;
  const list = (title: string, flips: FlipView[], total: number, kind: string) => (
    <div>
      <h3 className="small">{title} <span className="muted">({total}{total > flips.length ? `, the first ${flips.length}` : ''})</span></h3>
      <div className="flips">
        {flips.map((f) => (
          <button key={f.index} type="button" className={`example flip ${kind}${picked?.index === f.index ? ' picked' : ''}`} data-testid="flipped-example" data-kind={kind}
            data-index={f.index} data-original={f.original} data-current={f.current} data-label={f.label}
            title={`${f.example.name}: ${f.label}; original ${f.original}, now ${f.current}`} onClick={() => setPicked(f)}>
            <ExampleThumb example={f.example} />
          </button>
        ))}
        {flips.length === 0 && <span className="muted small">none</span>}
      </div>
    </div>
  );
  return (
    <div className="flip-lists">
      {list('Broken: right before, wrong now', broken, brokenCount, 'broken')}
      {list('Fixed: wrong before, right now', fixed, fixedCount, 'fixed')}
      {picked && (
        <p className="small" data-testid="flip-detail">
          <strong>{picked.example.name}</strong>: {damage.metric === 'fidelity' ? 'the original said' : 'labelled'} <strong>{picked.label}</strong>; the original model
          predicted <strong>{picked.original}</strong>, the current one <strong>{picked.current}</strong>.
        </p>
      )}
    </div>
  );
}
