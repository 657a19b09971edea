// A parsed table (csvTable.ts) as a tabular model's examples: numeric features in the model's
// input order (the table's column order, the label column left out) and one label per row.
//
// The label column: `labelColumn` when given (null: no labels, every column a feature); otherwise
// the first column named label, class, target or y (any case), otherwise the last column, unless
// the table has exactly as many columns as the model has features and the last one holds numbers
// (then there is no label column).
//
// Labels of a classifier are the model's class names (when it has them), or class numbers
// 0..n-1, or any other names, which the original model's predictions then map to its classes
// (classMapping.ts) exactly as image folders are. Labels of a regression model are numbers.
import { DataError, dataMessages, listNames } from './dataMessages';
import type { Table } from './csvTable';
import { normaliseName } from './classMapping';

export const LABEL_COLUMN_NAMES = ['label', 'class', 'target', 'y'];
const MISSING = new Set(['na', 'n/a', 'nan', 'null', 'none', '?', '-', '--']);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export interface TableTarget {
  features: number;
  task: 'classification' | 'regression';
  /** Classes of a classifier. */
  classes: number;
  /** The model's class names, when known (metadata.json, ml5 manifest, the demo). */
  classNames: string[] | null;
}

export interface TableData {
  path: string;
  count: number;
  featureColumns: string[];
  /** [count * features], row-major. */
  features: Float32Array;
  labelColumn: string | null;
  /**
   * Classification: per row, the model's class (when `labelNames` is null) or an index into
   * `labelNames` (to be mapped to classes by predictions). Regression: the target. null: no labels.
   */
  labels: Int32Array | Float32Array | null;
  /** Distinct label names in sorted order, when they are neither class names nor class numbers. */
  labelNames: string[] | null;
  /** Each example's row as a spreadsheet shows it. */
  rowNumbers: Int32Array;
}

/** The label column's index, or -1 for none; throws DataError when it cannot be settled. */
export function findLabelColumn(table: Table, features: number, labelColumn?: string | null): number {
  const { header, path } = table;
  if (labelColumn === null) return -1;
  if (labelColumn !== undefined) {
    const k = header.indexOf(labelColumn);
    if (k < 0) throw new DataError(dataMessages.tableNoSuchColumn(path, labelColumn, header));
    return k;
  }
  const lower = header.map((h) => h.toLowerCase());
  for (const name of LABEL_COLUMN_NAMES) {
    const k = lower.indexOf(name);
    if (k >= 0) return k;
  }
  // As many columns as the model has features: the last is still the label when it holds only words.
  const last = header.length - 1;
  const words = table.rows.every((row) => !NUMBER.test(row[last].trim()) && !MISSING.has(row[last].trim().toLowerCase()));
  if (header.length === features && !words) throw new DataError(dataMessages.tableNoLabel(path, header.length));
  return last;
}

function cell(table: Table, r: number, c: number): string {
  return table.rows[r][c].trim();
}

function number(table: Table, r: number, c: number, label: boolean): number {
  const v = cell(table, r, c);
  const row = table.rowNumbers[r];
  const column = table.header[c];
  if (v === '' || MISSING.has(v.toLowerCase())) {
    throw new DataError(label ? dataMessages.tableMissingLabel(table.path, row, column) : dataMessages.tableMissing(table.path, row, column, v));
  }
  if (!NUMBER.test(v)) {
    throw new DataError(label ? dataMessages.tableLabelNotNumber(table.path, row, column, v) : dataMessages.tableNotNumber(table.path, row, column, v));
  }
  return Number(v);
}

/** Features and labels for `target`; throws DataError naming the row and column at fault. */
export function tableData(table: Table, target: TableTarget, labelColumn?: string | null): TableData {
  const label = findLabelColumn(table, target.features, labelColumn);
  const featureIdx = table.header.map((_, k) => k).filter((k) => k !== label);
  const featureColumns = featureIdx.map((k) => table.header[k]);
  if (featureIdx.length !== target.features) {
    throw new DataError(dataMessages.tableFeatureCount(table.path, featureIdx.length, featureColumns, target.features, label < 0 ? null : table.header[label]));
  }
  const count = table.rows.length;
  const features = new Float32Array(count * target.features);
  for (let r = 0; r < count; r++) {
    for (let j = 0; j < featureIdx.length; j++) features[r * target.features + j] = number(table, r, featureIdx[j], false);
  }
  const data: TableData = {
    path: table.path,
    count,
    featureColumns,
    features,
    labelColumn: label < 0 ? null : table.header[label],
    labels: null,
    labelNames: null,
    rowNumbers: Int32Array.from(table.rowNumbers),
  };
  if (label < 0) return data;
  if (target.task === 'regression') {
    data.labels = Float32Array.from({ length: count }, (_, r) => number(table, r, label, true));
    return data;
  }
  Object.assign(data, classLabels(table, label, target));
  return data;
}

function classLabels(table: Table, column: number, target: TableTarget): Pick<TableData, 'labels' | 'labelNames'> {
  const count = table.rows.length;
  const values = table.rows.map((_, r) => cell(table, r, column));
  const empty = values.findIndex((v) => v === '');
  if (empty >= 0) throw new DataError(dataMessages.tableMissingLabel(table.path, table.rowNumbers[empty], table.header[column]));
  const outside = (r: number, names: string) => new DataError(dataMessages.tableLabelOutside(table.path, table.rowNumbers[r], values[r], names));
  const classNumber = (v: string) => (/^\d+$/.test(v) ? Number(v) : /^\d+\.0*$/.test(v) ? Math.trunc(Number(v)) : NaN);
  const labels = new Int32Array(count);

  if (target.classNames) {
    const byName = new Map(target.classNames.map((n, k) => [normaliseName(n), k]));
    const numeric = values.every((v) => Number.isFinite(classNumber(v)));
    for (let r = 0; r < count; r++) {
      const k = numeric ? classNumber(values[r]) : byName.get(normaliseName(values[r]));
      if (k === undefined || !(k >= 0 && k < target.classes)) throw outside(r, listNames(target.classNames, 10));
      labels[r] = k;
    }
    return { labels, labelNames: null };
  }
  if (values.every((v) => Number.isFinite(classNumber(v)))) {
    for (let r = 0; r < count; r++) {
      const k = classNumber(values[r]);
      if (k >= target.classes) throw outside(r, `0..${target.classes - 1}`);
      labels[r] = k;
    }
    return { labels, labelNames: null };
  }
  const names = [...new Set(values)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (names.length > target.classes) throw new DataError(dataMessages.tableLabelCount(table.path, names, target.classes));
  const index = new Map(names.map((n, k) => [n, k]));
  for (let r = 0; r < count; r++) labels[r] = index.get(values[r]) as number;
  return { labels, labelNames: names };
}
