import { useEffect, useState } from 'react';
import type { ExportFormat, ExportPrecision } from '../../engine/api';
import { canAct, currentPoint, useStudio } from '../store';
import { useGraphModel } from './GraphLock';
import { exportCurrent, measureSizes } from '../studioActions';
import { formatBytes } from '../format';
import './sessions.css';

const PRECISIONS: { value: ExportPrecision; label: string; note: string }[] = [
  { value: 'float32', label: 'float32 (exact)', note: 'the weights as they are' },
  { value: 'float16', label: 'float16', note: 'half the bytes; zeros stay exactly 0' },
  { value: 'uint8', label: 'uint8 (quantized)', note: 'a quarter of the bytes; per-tensor affine with 0 exactly representable' },
];

/**
 * Download the current model: precision and format, the sizes it will have (raw, gzip as served
 * over HTTP, at the chosen precision), and the button. Files load with plain tf.loadLayersModel.
 */
export function ExportPanel() {
  const [precision, setPrecision] = useState<ExportPrecision>('float32');
  const [format, setFormat] = useState<ExportFormat>('zip');
  const [saved, setSaved] = useState<string[] | null>(null);
  const [encrypt, setEncrypt] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const point = useStudio(currentPoint);
  const graph = useGraphModel();
  const sizes = useStudio((s) => (s.sizes && s.sizes.pointId === s.currentPointId ? s.sizes.sizes : null));
  const original = useStudio((s) => s.history.find((p) => p.kind === 'original') ?? null);
  const idle = useStudio((s) => s.status === 'idle' && !s.fatal);
  const free = useStudio(canAct);
  // Sizes follow the current step; measured once the studio is idle (a slider drag never waits on them).
  useEffect(() => {
    if (idle && point && !sizes) {
      const t = setTimeout(() => void measureSizes(), 300);
      return () => clearTimeout(t);
    }
  }, [idle, point, sizes]);
  useEffect(() => setSaved(null), [point?.id, precision, format]);
  const at = sizes ? { float32: [sizes.raw, sizes.gzip], float16: [sizes.float16, sizes.float16Gzip], uint8: [sizes.uint8, sizes.uint8Gzip] }[precision] : null;
  const originalRaw = original ? original.params * 4 : null;
  return (
    <section className="panel export-panel" aria-labelledby="export-title">
      <div className="panel-head">
        <h2 id="export-title">Export</h2>
        <span className="muted small">{point ? `step: ${point.kind === 'original' ? 'original model' : point.label}` : ''}</span>
      </div>
      <div className="export-grid">
        <label className="stacked">
          <span className="field-label">Weights</span>
          <select data-testid="export-precision" value={precision} disabled={format === 'packed'} title={format === 'packed' ? 'A packed file holds every weight exactly' : undefined} onChange={(e) => setPrecision(e.target.value as ExportPrecision)}>
            {PRECISIONS.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
          </select>
        </label>
        <label className="stacked">
          <span className="field-label">Format</span>
          <select data-testid="export-format" value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
            <option value="zip">.zip</option>
            <option value="files">loose files</option>
            <option value="packed" disabled={graph} title={graph ? 'The packed format holds Layers models only' : undefined}>packed (.secpak + decoder)</option>
          </select>
        </label>
        <button type="button" className="button primary" data-testid="export" disabled={!free || !point}
          onClick={async () => setSaved(await exportCurrent({ precision, format, ...(encrypt ? { encrypt: { passphrase } } : {}) }))}>
          Download
        </button>
      </div>
      <EncryptOption encrypt={encrypt} passphrase={passphrase} onEncrypt={setEncrypt} onPassphrase={setPassphrase} />
      <p className="muted small">
        {format === 'packed' ? PACKED_NOTE : <>{PRECISIONS.find((p) => p.value === precision)!.note}. </>}{format === 'packed' ? '' : format === 'zip' ? 'The .zip holds model.json, the weight files, a README with a loading snippet and report.json (per-layer sparsity, metrics, the steps that made it).' : 'model.json and its weight files, downloaded one by one.'}
      </p>
      <table className="sizes" data-testid="export-sizes" aria-label="Weight file sizes">
        <thead>
          <tr><th scope="col">Weight files</th><th scope="col" className="num">raw</th><th scope="col" className="num">gzip (as served)</th></tr>
        </thead>
        <tbody>
          {sizes ? (
            <>
              <SizeRow label="float32" raw={sizes.raw} gzip={sizes.gzip} chosen={precision === 'float32' && format !== 'packed'} base={originalRaw} />
              <SizeRow label="float16" raw={sizes.float16} gzip={sizes.float16Gzip} chosen={precision === 'float16' && format !== 'packed'} base={originalRaw} />
              <SizeRow label="uint8" raw={sizes.uint8} gzip={sizes.uint8Gzip} chosen={precision === 'uint8' && format !== 'packed'} base={originalRaw} />
              {sizes.packed !== undefined && <PackedRow bytes={sizes.packed} chosen={format === 'packed'} base={originalRaw} />}
            </>
          ) : (
            <tr><td colSpan={3} className="muted">Measuring…</td></tr>
          )}
        </tbody>
      </table>
      {originalRaw ? <p className="muted small">“× smaller”: than the original model&apos;s float32 weights, {formatBytes(originalRaw)}.</p> : null}
      {format === 'packed' && sizes?.packed !== undefined && (
        <p className="small" data-testid="export-size" data-raw={sizes.packed} data-gzip={sizes.packed}>
          Packed: <strong>{formatBytes(sizes.packed)}</strong>{originalRaw ? `, ${smaller(sizes.packed, originalRaw)} than the original float32 (${formatBytes(originalRaw)} raw)` : ''}.
        </p>
      )}
      {format !== 'packed' && at && at[0] !== null && at[1] !== null && (
        <p className="small" data-testid="export-size" data-raw={at[0]} data-gzip={at[1]}>
          At {precision}: <strong>{formatBytes(at[1])}</strong> gzipped, {formatBytes(at[0])} raw
          {originalRaw ? ` (original float32: ${formatBytes(originalRaw)} raw)` : ''}.
        </p>
      )}
      {saved && saved.length > 0 && <p className="ok small" role="status">Saved {saved.join(', ')}.</p>}
    </section>
  );
}

/** "Encrypt with a passphrase": the download becomes one sealed file the studio (or docs/decrypt-secateur.mjs) opens. */
function EncryptOption({ encrypt, passphrase, onEncrypt, onPassphrase }: {
  encrypt: boolean; passphrase: string; onEncrypt(v: boolean): void; onPassphrase(v: string): void;
}) {
  return (
    <div className="export-seal">
      <label>
        <input type="checkbox" data-testid="export-encrypt" checked={encrypt} onChange={(e) => onEncrypt(e.target.checked)} />
        Encrypt with a passphrase
      </label>
      {encrypt && (
        <>
          <input type="password" autoComplete="new-password" data-testid="export-passphrase" aria-label="Export passphrase" placeholder="passphrase"
            value={passphrase} onChange={(e) => onPassphrase(e.target.value)} />
          <span className="muted small">One .enc file (the .zip sealed with AES-256-GCM, key from PBKDF2-SHA256, 600,000 rounds); the passphrase is never stored.</span>
        </>
      )}
    </div>
  );
}

function SizeRow({ label, raw, gzip, chosen, base }: { label: string; raw: number | null; gzip: number | null; chosen: boolean; base: number | null }) {
  if (raw === null || gzip === null) {
    return (
      <tr className={chosen ? 'chosen' : undefined}>
        <th scope="row">{label}</th>
        <td className="muted" colSpan={2}>not possible: a weight holds NaN or ±Infinity</td>
      </tr>
    );
  }
  return (
    <tr className={chosen ? 'chosen' : undefined}>
      <th scope="row">{label}</th>
      <td className="num">{formatBytes(raw)}{base ? <span className="muted"> ({smaller(raw, base)})</span> : null}</td>
      <td className="num">
        {formatBytes(gzip)}
        {base ? <span className="muted"> ({smaller(gzip, base)})</span> : null}
      </td>
    </tr>
  );
}

const PACKED_NOTE =
  'Every weight exactly (bit for bit): the positions of the nonzero weights, each one as a short index into its kernel\'s shared values (cluster first to make them few), entropy-coded. ';

/** "12.3× smaller" (or "1.2× larger") than `base` bytes. */
function smaller(bytes: number, base: number): string {
  if (bytes <= 0) return 'empty';
  const r = base / bytes;
  if (Math.abs(r - 1) < 0.05) return 'the original size';
  if (r < 1) return `${(1 / r).toFixed(1)}× larger`;
  return `${r >= 100 ? Math.round(r) : r.toFixed(1)}× smaller`;
}

/** The packed file: one size (it is entropy-coded already, so gzip would not shrink it). */
function PackedRow({ bytes, chosen, base }: { bytes: number; chosen: boolean; base: number | null }) {
  return (
    <tr className={chosen ? 'chosen' : undefined} data-testid="packed-size" data-value={bytes}>
      <th scope="row">packed</th>
      <td className="num" colSpan={2}>
        {formatBytes(bytes)}
        {base ? <span className="muted"> ({smaller(bytes, base)} than the original float32)</span> : null}
        <span className="muted"> · the whole model (architecture too), entropy-coded: no gzip needed</span>
      </td>
    </tr>
  );
}
