import { useEffect, useRef, useState } from 'react';
import type { DataSummary, Scaling } from '../../engine/api';
import { canAct, useStudio } from '../store';
import { clearData, loadDataFiles, updateDataChoices } from '../studioActions';
import { filesFromDrop, filesFromInput, readFiles } from '../files/collectFiles';
import { formatCount } from '../format';
import { DataPreview } from './DataPreview';
import { ClassMappingTable } from './ClassMappingTable';
import './dataPanel.css';

const KIND_NAMES: Record<DataSummary['kind'], string> = {
  images: 'images in class folders', tm: 'a Teachable Machine project', csv: 'a table', unlabelled: 'unlabelled images',
};
const TEST_SHARES = [0.1, 0.2, 0.3, 0.5, 1];

/**
 * The data every figure is measured on: the demo's images, generated inputs, or the user's own
 * (image folders, a .zip, a .tm project, unlabelled images, a CSV), dropped or picked here.
 */
export function DataPanel() {
  const data = useStudio((s) => s.data);
  const summary = useStudio((s) => s.summary);
  const catalog = useStudio((s) => s.catalog);
  const free = useStudio(canAct);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const panel = useRef<HTMLElement>(null);
  const over = useDataDrop(panel);
  const onChange = async (input: HTMLInputElement | null) => {
    if (!input?.files) return;
    const picked = filesFromInput(input.files);
    input.value = ''; // the same files can be picked again after a fix
    await loadDataFiles(await readFiles(picked));
  };
  const source = summary?.source;
  const demo = !data && source?.metric === 'accuracy' && catalog ? catalog.dataset : null;
  const kind = data ? data.kind : demo ? 'demo' : 'generated';
  const counts = data
    ? { count: data.count, classes: data.classes, train: data.train, test: data.test }
    : demo ? { count: demo.trainCount + demo.testCount, classes: demo.classes.length, train: demo.trainCount, test: demo.testCount } : null;
  return (
    <section ref={panel} className={`panel data-panel${over ? ' data-drop-over' : ''}`} aria-labelledby="data-title" data-testid="data-dropzone">
      <div className="panel-head">
        <h2 id="data-title">Data</h2>
        <span className="muted small">what every figure is measured on; it never leaves this tab</span>
        <div className="data-buttons">
          <input ref={fileInput} type="file" multiple data-testid="data-input" className="visually-hidden"
            accept="image/*,.zip,.tm,.csv,.tsv,.tab,text/csv" disabled={!free} tabIndex={-1} aria-hidden="true"
            onChange={() => void onChange(fileInput.current)} />
          <input ref={folderInput} type="file" data-testid="data-folder-input" className="visually-hidden"
            {...{ webkitdirectory: '', directory: '' }} disabled={!free} tabIndex={-1} aria-hidden="true"
            onChange={() => void onChange(folderInput.current)} />
          <button type="button" className="small-button" disabled={!free || !summary} onClick={() => fileInput.current?.click()}
            title="Images, a .zip of class folders, a Teachable Machine .tm project, or a CSV table">
            Open data…
          </button>
          <button type="button" className="small-button" disabled={!free || !summary} onClick={() => folderInput.current?.click()}
            title="A folder of class folders (cats/001.jpg, dogs/001.jpg), or of unlabelled images">
            Folder…
          </button>
          {data && (
            <button type="button" className="small-button" data-testid="data-clear" disabled={!free} onClick={() => void clearData()}>
              {source?.kind === 'demo' ? 'Use the demo data' : 'Stop using this data'}
            </button>
          )}
        </div>
      </div>
      <p className="data-source" data-testid="data-source" data-kind={kind}
        data-count={counts?.count} data-classes={counts?.classes} data-train={counts?.train} data-test={counts?.test} data-skipped={data?.skipped}>
        {data ? (
          <><strong>{data.name}</strong>: {KIND_NAMES[data.kind]}, {formatCount(data.count)} {data.kind === 'csv' ? 'rows' : 'images'}
            {data.classes > 0 && <>, {data.classes} classes</>}; {formatCount(data.train)} to train on, {formatCount(data.test)} held out
            {data.skipped > 0 && <>, {formatCount(data.skipped)} skipped</>}.</>
        ) : demo ? (
          <><strong>{demo.name}</strong> (demo): {formatCount(demo.trainCount)} training and {formatCount(demo.testCount)} test images, {demo.classes.length} classes.</>
        ) : (
          <>Generated inputs: without data, the studio measures how closely the pruned model agrees with the original.</>
        )}
        {' '}<span className="muted small">Drop a folder of class folders, a .zip, a .tm project or a CSV on this panel, or use Open data….</span>
      </p>
      {data && <DataDetails data={data} disabled={!free} />}
    </section>
  );
}

/**
 * Makes the panel a drop target for data. Its native listener runs before the page-wide one (which
 * opens models) and marks the drop as taken (preventDefault), which that one then leaves alone.
 */
function useDataDrop(panel: React.RefObject<HTMLElement | null>): boolean {
  const [over, setOver] = useState(false);
  useEffect(() => {
    const el = panel.current;
    if (!el) return;
    const overEvent = (e: DragEvent) => {
      if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
      e.preventDefault();
      setOver(true);
    };
    const leave = (e: DragEvent) => {
      if (!el.contains(e.relatedTarget as Node | null)) setOver(false);
    };
    const drop = async (e: DragEvent) => {
      if (!e.dataTransfer) return;
      e.preventDefault();
      setOver(false);
      if (!canAct(useStudio.getState())) return;
      const found = await filesFromDrop(e.dataTransfer);
      await loadDataFiles(await readFiles(found));
    };
    el.addEventListener('dragover', overEvent);
    el.addEventListener('dragleave', leave);
    el.addEventListener('drop', drop);
    return () => {
      el.removeEventListener('dragover', overEvent);
      el.removeEventListener('dragleave', leave);
      el.removeEventListener('drop', drop);
    };
  }, [panel]);
  return over;
}

function DataDetails({ data, disabled }: { data: DataSummary; disabled: boolean }) {
  const p = data.preprocess;
  const testShare = data.choices.testFraction ?? 0.2;
  return (
    <div className="data-body">
      <div>
        <div className="data-controls">
          {p && (
            <label className="stacked">
              <span className="field-label">Pixel scaling ({p.height}×{p.width}×{p.channels}, {p.fit === 'crop' ? 'centre crop' : 'stretched'})</span>
              <select data-testid="data-preprocess" data-value={p.scaling} value={p.scaling} disabled={disabled}
                onChange={(e) => void updateDataChoices({ scaling: e.target.value as Scaling })}>
                {p.candidates.map((c) => (
                  <option key={c.scaling} value={c.scaling}>
                    {c.label}{c.correct !== null ? ` — ${c.correct}/${c.count} right` : ''}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label className="stacked">
            <span className="field-label">Held out</span>
            <select data-testid="data-test-share" value={testShare} disabled={disabled}
              onChange={(e) => void updateDataChoices({ testFraction: Number(e.target.value) })}>
              {TEST_SHARES.map((f) => <option key={f} value={f}>{Math.round(f * 100)}% {f === 1 ? '(measure only: nothing to fine-tune on)' : '(seeded, stratified)'}</option>)}
            </select>
          </label>
          {data.table && (
            <label className="stacked">
              <span className="field-label">Label column</span>
              <select data-testid="data-label-column" value={data.table.labelColumn ?? ''} disabled={disabled}
                onChange={(e) => void updateDataChoices({ labelColumn: e.target.value === '' ? null : e.target.value })}>
                {[...(data.table.labelColumn !== null ? [data.table.labelColumn] : []), ...data.table.featureColumns].map((c) => <option key={c} value={c}>{c}</option>)}
                <option value="">none (measure agreement with the original)</option>
              </select>
            </label>
          )}
        </div>
        {data.table && <p className="small muted" data-testid="data-features">Features, in the model's input order: {data.table.featureColumns.join(', ')}</p>}
        <p className="small muted" data-testid="data-note">
          {data.note}. Loading data starts a fresh history from the original model, measured on it.
        </p>
        {p && (
          <details className="small">
            <summary>Why this preprocessing</summary>
            <ul>{p.reasons.map((r) => <li key={r}>{r}</li>)}</ul>
          </details>
        )}
        {data.warnings.length > 0 && (
          <ul className="warn small" data-testid="data-warnings" role="status">
            {data.warnings.map((w) => <li key={w} data-testid="data-warning">{w}</li>)}
          </ul>
        )}
        <DataPreview data={data} />
      </div>
      <ClassMappingTable data={data} disabled={disabled} onChange={(mapping) => void updateDataChoices({ mapping })} />
    </div>
  );
}
