// A CSV or TSV file as a header and rows of text, parsed with papaparse (delimiter detected; TSV by
// name). Nothing here knows the model: tableData.ts turns the text into features and labels.
//
// Rows are numbered as a spreadsheet shows them: the header is row 1, the first example row 2.
// Blank lines are skipped but keep their number, so a message's row is the row the user sees.
import Papa from 'papaparse';
import { DataError, dataMessages } from './dataMessages';

export interface Table {
  path: string;
  /** Column names, trimmed. */
  header: string[];
  /** One entry per example row, one string per column (as written, untrimmed). */
  rows: string[][];
  /** Each row's number as a spreadsheet shows it (the header is row 1). */
  rowNumbers: number[];
  delimiter: string;
}

/** Parses a table file; throws DataError for an empty file, a header alone, a ragged row or a broken quote. */
export function parseTable(path: string, bytes: Uint8Array): Table {
  if (bytes.length === 0) throw new DataError(dataMessages.tableZeroBytes(path));
  const text = new TextDecoder('utf-8').decode(bytes); // drops a byte-order mark
  const tsv = /\.(tsv|tab)$/i.test(path);
  const parsed = Papa.parse<string[]>(text, { delimiter: tsv ? '\t' : '', header: false, skipEmptyLines: false });
  const quote = parsed.errors.find((e) => e.type === 'Quotes');
  if (quote) throw new DataError(dataMessages.tableQuote(path, (quote.row ?? 0) + 1));
  const blank = (row: string[]) => row.length === 1 && row[0].trim() === '';
  const first = parsed.data.findIndex((row) => !blank(row));
  if (first < 0) throw new DataError(dataMessages.tableEmpty(path));
  const header = parsed.data[first].map((h) => h.trim());
  const table: Table = { path, header, rows: [], rowNumbers: [], delimiter: parsed.meta.delimiter };
  for (let i = first + 1; i < parsed.data.length; i++) {
    const row = parsed.data[i];
    if (blank(row)) continue;
    if (row.length !== header.length) throw new DataError(dataMessages.tableRagged(path, i + 1, row.length, header.length));
    table.rows.push(row);
    table.rowNumbers.push(i + 1);
  }
  if (table.rows.length === 0) throw new DataError(dataMessages.tableHeaderOnly(path));
  return table;
}
