import { describe, expect, it } from 'vitest';
import { parseTable } from './csvTable';
import { findLabelColumn, tableData, type TableTarget } from './tableData';
import { dataErrorOf } from './dataErrorOf';
import { DataError } from './dataMessages';

const bytes = (s: string) => new TextEncoder().encode(s);
const table = (s: string, path = 'iris.csv') => parseTable(path, bytes(s));
const named: TableTarget = { features: 2, task: 'classification', classes: 3, classNames: ['setosa', 'versicolor', 'virginica'] };
const unnamed: TableTarget = { ...named, classNames: null };
const regression: TableTarget = { features: 2, task: 'regression', classes: 1, classNames: null };


describe('parseTable', () => {
  it('parses a header and rows, numbering rows as a spreadsheet does, blank lines skipped', () => {
    const t = table('\ufeffa, b ,label\r\n1,2,setosa\r\n\r\n3,"4",virginica\r\n');
    expect(t.header).toEqual(['a', 'b', 'label']);
    expect(t.rows).toEqual([['1', '2', 'setosa'], ['3', '4', 'virginica']]);
    expect(t.rowNumbers).toEqual([2, 4]);
  });

  it('detects tabs and semicolons, and reads .tsv as tab-separated', () => {
    expect(table('a\tb\tlabel\n1\t2\t0\n').header).toEqual(['a', 'b', 'label']);
    expect(table('a;b;label\n1;2;0\n').rows).toEqual([['1', '2', '0']]);
    expect(parseTable('x.tsv', bytes('a,b\tlabel\n1,2\t0\n')).header).toEqual(['a,b', 'label']);
  });

  it('names the file and the row of a ragged row, a broken quote, and empty tables', () => {
    expect(dataErrorOf(() => table('a,b,label\n1,2,0\n1,2\n'))).toBe('iris.csv: row 3 has 2 fields, but the header has 3 columns. Give every row one value per column.');
    expect(dataErrorOf(() => table('a,b,label\n1,2,0\n1,2,0,9\n'))).toBe('iris.csv: row 3 has 4 fields, but the header has 3 columns. Give every row one value per column.');
    expect(dataErrorOf(() => table('a,b,label\n1,2,0\n1,"2,0\n'))).toBe('iris.csv: row 3 opens a quote that is never closed. Close the quote, or remove it.');
    expect(dataErrorOf(() => table('\n\n'))).toBe('iris.csv: the table is empty. A table needs a header row and then one row per example.');
    expect(dataErrorOf(() => table('a,b,label\n'))).toBe('iris.csv: a header row but no data rows. Add one row per example.');
    expect(dataErrorOf(() => parseTable('iris.csv', new Uint8Array(0)))).toBe('iris.csv: an empty file (0 bytes). Export the table again.');
  });
});

describe('tableData', () => {
  it('guesses the label column: label, class, target, y (any case), else the last column', () => {
    expect(findLabelColumn(table('Class,a,b\n0,1,2'), 2)).toBe(0);
    expect(findLabelColumn(table('a,TARGET,b\n1,0,2'), 2)).toBe(1);
    expect(findLabelColumn(table('y,class,b\n1,0,2'), 2)).toBe(1); // "class" ranks above "y"
    expect(findLabelColumn(table('a,b,species\n1,2,x'), 2)).toBe(2);
    expect(findLabelColumn(table('species,a,b\nx,1,2'), 2, 'species')).toBe(0);
    expect(findLabelColumn(table('a,b,label\n1,2,0'), 3, null)).toBe(-1);
    // As many columns as features, but the last holds words: a label column, and a feature short.
    expect(findLabelColumn(table('a,b,species\n1,2,x\n3,4,y'), 3)).toBe(2);
    expect(() => findLabelColumn(table('a,b,c\n1,2,x\n3,4,5'), 3)).toThrow(DataError);
  });

  it('gives features in column order without the label, and class names or numbers as classes', () => {
    const d = tableData(table('b,label,a\n1.5,virginica,-2e-1\n3,Setosa,4\n'), named);
    expect(d.featureColumns).toEqual(['b', 'a']);
    expect(Array.from(d.features)).toEqual([1.5, Math.fround(-0.2), 3, 4]);
    expect(Array.from(d.labels as Int32Array)).toEqual([2, 0]);
    expect(d.labelNames).toBeNull();
    expect(Array.from(d.rowNumbers)).toEqual([2, 3]);
    expect(Array.from(tableData(table('a,b,label\n1,2,2\n3,4,0.0\n'), unnamed).labels as Int32Array)).toEqual([2, 0]);
  });

  it('keeps other label names to be mapped to classes by predictions, sorted', () => {
    const d = tableData(table('a,b,label\n1,2,dog\n3,4,cat\n5,6,dog\n'), unnamed);
    expect(d.labelNames).toEqual(['cat', 'dog']);
    expect(Array.from(d.labels as Int32Array)).toEqual([1, 0, 1]);
  });

  it('reads a regression target as a number', () => {
    const d = tableData(table('a,b,y\n1,2,3.25\n3,4,-1\n'), regression);
    expect(Array.from(d.labels as Float32Array)).toEqual([3.25, -1]);
  });

  it('reads an unlabelled table when told there are no labels', () => {
    const d = tableData(table('a,b\n1,2\n'), named, null);
    expect([d.labelColumn, d.labels, Array.from(d.features)]).toEqual([null, null, [1, 2]]);
  });

  it('names the file, row and column of every bad value', () => {
    expect(dataErrorOf(() => tableData(table('a,b,label\n1,2,setosa\n1,x1,setosa\n'), named))).toBe('iris.csv: row 3, column b: "x1" is not a number. Features must be numbers.');
    expect(dataErrorOf(() => tableData(table('a,b,label\n1,,setosa\n'), named))).toBe('iris.csv: row 2, column b is empty. Fill in every feature, or delete the row.');
    expect(dataErrorOf(() => tableData(table('a,b,label\n1,2,setosa\nNA,2,setosa\n'), named))).toBe('iris.csv: row 3, column a is missing ("NA"). Fill in every feature, or delete the row.');
    expect(dataErrorOf(() => tableData(table('a,b,label\n1,2,\n'), named))).toBe('iris.csv: row 2, column label: the label is empty. Give every row a label, or delete the row.');
    expect(dataErrorOf(() => tableData(table('a,b,y\n1,2,big\n'), regression))).toBe('iris.csv: row 2, column y: "big" is not a number, and a regression model\'s label must be one.');
  });

  it('says how many feature columns the model expects and how many the table has', () => {
    expect(dataErrorOf(() => tableData(table('a,b,c,label\n1,2,3,setosa\n'), named))).toBe(
      "iris.csv: 3 feature columns (a, b, c) besides the label column label, but the model takes 2 features. Give the table one column per model input, in the model's order.",
    );
    expect(dataErrorOf(() => tableData(table('a,b,c\n1,2,3\n'), named, null))).toBe(
      "iris.csv: 3 feature columns (a, b, c), but the model takes 2 features. Give the table one column per model input, in the model's order.",
    );
  });

  it('says when there is no label column, or no column of the given name', () => {
    expect(dataErrorOf(() => tableData(table('a,b\n1,2\n'), named))).toBe(
      'iris.csv: no label column: its 2 columns are all features the model takes. Add a label column (named label, class, target or y), or choose "no labels" to measure agreement with the original model.',
    );
    expect(dataErrorOf(() => tableData(table('a,b,c\n1,2,3\n'), named, 'species'))).toBe('iris.csv: no column named "species" (its columns: a, b, c). Choose the label column from the header.');
  });

  it('refuses labels outside the model\'s classes, and more labels than classes', () => {
    expect(dataErrorOf(() => tableData(table('a,b,label\n1,2,setosa\n1,2,daisy\n'), named))).toBe(
      'iris.csv: row 3: the label "daisy" is not a class of the model (setosa, versicolor, virginica). Use the model\'s class names or class numbers.',
    );
    expect(dataErrorOf(() => tableData(table('a,b,label\n1,2,0\n1,2,3\n'), unnamed))).toBe(
      'iris.csv: row 3: the label "3" is not a class of the model (0..2). Use the model\'s class names or class numbers.',
    );
    expect(dataErrorOf(() => tableData(table('a,b,label\n1,2,a\n1,2,b\n1,2,c\n1,2,d\n'), unnamed))).toBe(
      "iris.csv: 4 different labels (a, b, c, d), but the model has 3 classes. Use the model's classes only.",
    );
  });
});
