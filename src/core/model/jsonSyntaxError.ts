// Where a JSON text is broken, and how, in words a user can act on.
//
// JSON.parse says only that a text is invalid; where it is wrong differs by engine (V8 in Node 20
// gives no position at all, Firefox gives "line 1 column 7", Chrome a quoted excerpt), and import
// messages must be the same in the worker and in the Node tests. So when JSON.parse fails we scan
// the text once more with this small RFC 8259 checker and report the first offending character as
// a 1-based line and column, with a reason in our own words. It is iterative (an explicit stack),
// so deep nesting cannot overflow the call stack, and it is only run on texts that already failed.

export interface JsonSyntaxError {
  /** UTF-16 offset of the offending character (the text length for "cut short"). */
  offset: number;
  /** 1-based line and column of `offset`; lines end at '\n'. */
  line: number;
  column: number;
  /** Lower-case phrase, e.g. "expected ',' or '}', found '\"'". */
  reason: string;
  /** The text ends before the JSON value does: a file cut short. */
  truncated: boolean;
}

/** The first syntax error of `text`, or null when the text is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const at = (offset: number, reason: string, truncated = false): JsonSyntaxError => ({ offset, ...lineColumn(text, offset), reason, truncated });
  const closers: string[] = [];
  let i = 0;
  // 'value': a value must start here; 'key': a property name must; 'after': a value just ended.
  let state: 'value' | 'key' | 'after' = 'value';
  let afterComma = false;

  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };

  for (;;) {
    skipSpace();
    if (state === 'after') {
      if (closers.length === 0) {
        return i < text.length ? at(i, `unexpected ${describe(text, i)} after the end of the JSON value`) : null;
      }
      const closer = closers[closers.length - 1];
      if (i >= text.length) return at(i, `the file ends before the closing '${closer}'`, true);
      if (text[i] === ',') {
        i++;
        afterComma = true;
        state = closer === '}' ? 'key' : 'value';
      } else if (text[i] === closer) {
        i++;
        closers.pop();
      } else {
        return at(i, `expected ',' or '${closer}', found ${describe(text, i)}`);
      }
      continue;
    }

    if (i >= text.length) return at(i, 'the file ends in the middle of the JSON', true);
    const c = text[i];
    if (state === 'key') {
      if (c === '"') {
        const error = scanString();
        if (error) return error;
        skipSpace();
        if (text[i] !== ':') return at(i, `expected ':' after the property name, found ${describe(text, i)}`);
        i++;
        state = 'value';
        afterComma = false;
        continue;
      }
      if (c === '}' && afterComma) return at(i, "a trailing comma before '}'");
      if (c === "'") return at(i, 'property names need double quotes');
      return at(i, `expected a property name in double quotes, found ${describe(text, i)}`);
    }

    // state === 'value'
    const wasAfterComma = afterComma;
    afterComma = false;
    if (c === '{' || c === '[') {
      i++;
      skipSpace();
      const closer = c === '{' ? '}' : ']';
      if (text[i] === closer) {
        i++;
        state = 'after';
      } else {
        closers.push(closer);
        state = c === '{' ? 'key' : 'value';
      }
    } else if (c === '"') {
      const error = scanString();
      if (error) return error;
      state = 'after';
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const error = scanNumber();
      if (error) return error;
      state = 'after';
    } else if (text.startsWith('true', i) || text.startsWith('false', i) || text.startsWith('null', i)) {
      i += text.startsWith('false', i) ? 5 : 4;
      state = 'after';
    } else if (text.startsWith('NaN', i) || text.startsWith('Infinity', i)) {
      return at(i, `${text.startsWith('NaN', i) ? 'NaN' : 'Infinity'} is not allowed in JSON`);
    } else if (c === ']' && wasAfterComma) {
      return at(i, "a trailing comma before ']'");
    } else if (c === "'") {
      return at(i, 'strings need double quotes');
    } else {
      return at(i, `expected a value, found ${describe(text, i)}`);
    }
  }

  function scanString(): JsonSyntaxError | null {
    const start = i;
    i++; // opening quote
    while (i < text.length) {
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return null;
      }
      if (ch === 0x5c) {
        const e = text[i + 1];
        if (e === undefined) break;
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return at(i, 'a \\u escape needs four hex digits');
          i += 6;
        } else if ('"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          return at(i, `invalid escape ${describe(text, i, 2)} in a string`);
        }
        continue;
      }
      if (ch < 0x20) return at(i, `${describe(text, i)} inside a string (the closing quote is missing)`);
      i++;
    }
    return at(start, 'a string that is never closed', true);
  }

  function scanNumber(): JsonSyntaxError | null {
    const start = i;
    if (text[i] === '-') i++;
    if (text[i] === '0') {
      i++;
      if (isDigit(text[i])) return at(start, 'a number cannot start with 0');
    } else if (isDigit(text[i])) {
      while (isDigit(text[i])) i++;
    } else {
      return at(i, `expected a digit, found ${describe(text, i)}`);
    }
    if (text[i] === '.') {
      i++;
      if (!isDigit(text[i])) return at(i, `expected a digit after '.', found ${describe(text, i)}`);
      while (isDigit(text[i])) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!isDigit(text[i])) return at(i, `expected a digit in the exponent, found ${describe(text, i)}`);
      while (isDigit(text[i])) i++;
    }
    return null;
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** `n` characters at `i` as the user would name them: 'x', a line break, the end of the file. */
function describe(text: string, i: number, n = 1): string {
  if (i >= text.length) return 'the end of the file';
  const c = text[i];
  if (c === '\n' || c === '\r') return 'a line break';
  if (c === '\t') return 'a tab';
  const code = text.charCodeAt(i);
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${text.slice(i, i + n)}'`;
}

/** 1-based line and column of a UTF-16 offset; a line ends at '\n' (a '\r' before it counts as a column). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
