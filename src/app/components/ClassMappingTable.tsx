import type { DataSummary } from '../../engine/api';
import { formatPercent } from '../format';

/**
 * Which of the model's classes each class folder (or label name) is, with the share of its images
 * the original model gives that class. Editable: a change reads the data again with that mapping.
 * Folders that match no class are named in a warning.
 */
export function ClassMappingTable({ data, disabled, onChange }: { data: DataSummary; disabled: boolean; onChange: (mapping: number[]) => void }) {
  const m = data.mapping;
  if (!m) return null;
  const unmatched = m.groups.filter((_, g) => m.classOf[g] < 0);
  const by = { name: 'by name', number: 'by class number', prediction: "by the original model's predictions", user: 'as you set it' }[m.by];
  return (
    <div className="class-mapping">
      <p className="muted small">Folders matched to the model's classes {by}. Agreement: the share of a folder's images the original model gives its class.</p>
      <div className="table-scroll">
        <table className="summary compact" data-testid="class-mapping">
          <thead><tr><th scope="col">{data.kind === 'csv' ? 'Label' : 'Folder'}</th><th scope="col">Model class</th><th scope="col" className="num">Agreement</th></tr></thead>
          <tbody>
            {m.groups.map((g, k) => (
              <tr key={g} data-testid="mapping-row" data-group={g} data-class={m.classOf[k]} data-agreement={m.agreement[k] ?? ''}>
                <th scope="row" title={m.paths[k]}>{g}</th>
                <td>
                  <select aria-label={`Model class for ${g}`} value={m.classOf[k]} disabled={disabled} data-testid="mapping-class"
                    onChange={(e) => onChange(m.classOf.map((c, j) => (j === k ? Number(e.target.value) : c)))}>
                    <option value={-1}>leave out</option>
                    {data.classNames.map((name, c) => <option key={c} value={c}>{name}</option>)}
                  </select>
                </td>
                <td className={`num ${m.agreement[k] !== null && m.agreement[k]! < 0.5 ? 'neg' : ''}`}>
                  {m.agreement[k] === null ? '—' : `${formatPercent(m.agreement[k]!, 0)} of ${m.measured[k]}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {unmatched.length > 0 && (
        <p className="warn small" data-testid="mapping-warning" role="status">
          {unmatched.join(', ')}: {unmatched.length === 1 ? 'matches' : 'match'} no class of the model, so {unmatched.length === 1 ? 'its' : 'their'} examples are left out.
        </p>
      )}
    </div>
  );
}
