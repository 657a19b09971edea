import type { DataSummary } from '../../engine/api';
import { ExampleThumb } from './ExampleThumb';

/** The first held-out examples exactly as the model sees them, each with its label and the original model's prediction. */
export function DataPreview({ data }: { data: DataSummary }) {
  if (data.preview.length === 0) return null;
  return (
    <div className="data-preview" data-testid="data-preview" aria-label="The first held-out examples">
      {data.preview.map((e) => {
        const label = e.label ?? (e.target !== undefined ? String(+e.target.toPrecision(4)) : null);
        const right = e.label !== null && e.label === e.prediction;
        return (
          <figure key={e.index} className="example" data-testid="data-preview-item" data-index={e.index} data-label={label ?? ''} data-prediction={e.prediction} title={e.name}>
            <ExampleThumb example={e} />
            <figcaption className="small">
              {label !== null && <span className="example-label">{label}</span>}
              <span className={`example-prediction ${e.label === null ? 'muted' : right ? 'pos' : 'neg'}`}>{e.label === null && e.target === undefined ? 'original: ' : '→ '}{e.prediction}</span>
            </figcaption>
          </figure>
        );
      })}
    </div>
  );
}
