/**
 * The deepest nesting of `{`/`[` inside argument lists `(...)` of a GraphQL
 * document, read from the text before it is parsed: graphql-js parses values
 * recursively, and an inline object some 5,000 levels deep overflows the stack
 * (RangeError) before any validation rule could see it. Strings, block
 * strings and comments are skipped. Stops as soon as `stopAbove` is passed.
 */
export function deepestArgumentNesting(query: string, stopAbove: number): number {
  let parens = 0;
  let brackets = 0;
  let deepest = 0;
  const length = query.length;
  for (let index = 0; index < length; index++) {
    const char = query[index];
    if (char === '#') {
      while (index < length && query[index] !== '\n' && query[index] !== '\r') index++;
    } else if (char === '"') {
      if (query.startsWith('"""', index)) {
        const end = query.indexOf('"""', index + 3);
        // Escaped triple quotes (\""") stay inside the block string.
        let close = end;
        while (close !== -1 && query[close - 1] === '\\') close = query.indexOf('"""', close + 3);
        index = close === -1 ? length : close + 2;
      } else {
        index++;
        while (index < length && query[index] !== '"' && query[index] !== '\n') index += query[index] === '\\' ? 2 : 1;
      }
    } else if (char === '(') parens++;
    else if (char === ')') {
      parens = Math.max(0, parens - 1);
      if (parens === 0) brackets = 0;
    } else if (parens > 0 && (char === '{' || char === '[')) {
      deepest = Math.max(deepest, ++brackets);
      if (deepest > stopAbove) return deepest;
    } else if (parens > 0 && (char === '}' || char === ']')) brackets = Math.max(0, brackets - 1);
  }
  return deepest;
}
