/** A signature matched against every string (and object key) it applies to, after decoding. */
export interface ThreatPattern {
  /** Named in the refusal (`extensions.rule`), the log line and the metric. */
  name: string;
  /** Any match refuses (or logs) the value. Keep it linear: it runs on every string up to maxStringLength. */
  pattern: RegExp;
}

/** The signature families Loom ships, after the OWASP Core Rule Set's 942 (SQLi), 941 (XSS) and 930 (LFI). */
export type BuiltInPatternName = 'sql-injection' | 'script-injection' | 'path-traversal';

/**
 * A small, documented subset of OWASP CRS signatures (README: "Threat
 * protection" says why not the whole set). Each alternative names the attack
 * it stands for; all run on decoded text (see decodedForms).
 */
export const BUILT_IN_PATTERNS: Record<BuiltInPatternName, ThreatPattern> = {
  'sql-injection': {
    name: 'sql-injection',
    pattern: new RegExp(
      [
        // Tautologies after a closed quote: ' or '1'='1, " OR 1=1, ' and 'a'='a
        `['"\`]\\s*(?:or|and|\\|\\||&&)\\s*['"\`]?\\w*['"\`]?\\s*(?:=|<|>|like\\b|is\\b)`,
        // A quote closed and the rest commented out: admin'--, x' #, x'/*
        `['"\`]\\s*(?:--|#|/\\*)`,
        // UNION [ALL] SELECT
        `\\bunion\\b(?:\\s+(?:all|distinct))?\\s+select\\b`,
        // A stacked statement: ; DROP TABLE, ; DELETE FROM, ; EXEC
        `;\\s*(?:drop|delete|insert|update|alter|create|truncate|exec(?:ute)?|shutdown)\\b`,
        // Time-based blind probes
        `\\b(?:sleep|benchmark|pg_sleep)\\s*\\(|\\bwaitfor\\s+delay\\b`,
        // Catalogue and command tables
        `\\b(?:information_schema|pg_catalog|sysobjects|xp_cmdshell|load_file|into\\s+(?:out|dump)file)\\b`,
      ].join('|'),
      'i',
    ),
  },
  'script-injection': {
    name: 'script-injection',
    pattern: new RegExp(
      [
        // Script and active-content tags
        `<\\s*(?:script|iframe|object|embed|applet|meta|base|svg|math|style|link|form)\\b`,
        // Event handler attributes inside a tag: <img src=x onerror=...>
        `<[^>]*\\bon[a-z]{3,}\\s*=`,
        // Script URLs: javascript:, vbscript:, data:text/html
        `\\b(?:java|vb)script\\s*:|\\bdata\\s*:\\s*text/html`,
        // Old IE CSS expressions
        `\\bexpression\\s*\\(`,
      ].join('|'),
      'i',
    ),
  },
  'path-traversal': {
    name: 'path-traversal',
    pattern: new RegExp(
      [
        // A parent segment: ../, ..\, /.., at either end too
        `(?:^|[\\\\/])\\.{2,}(?:[\\\\/]|$)`,
        // A NUL byte (truncates paths in C-backed file APIs)
        `\\u0000`,
        // Well-known targets
        `/etc/(?:passwd|shadow|hosts)\\b|\\bwin\\.ini\\b|\\bboot\\.ini\\b|/proc/self/`,
      ].join('|'),
      'i',
    ),
  },
};

const HTML_ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  amp: '&',
  colon: ':',
  sol: '/',
  bsol: '\\',
  lpar: '(',
  rpar: ')',
  semi: ';',
  num: '#',
  tab: '\t',
  newline: '\n',
};

function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});?/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return HTML_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/** %XX and %uXXXX sequences; malformed ones stay as they are (decodeURIComponent would throw on them). */
function decodePercent(text: string): string {
  return text
    .replace(/%u([0-9a-f]{4})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      }
    });
}

/**
 * The forms a string is matched in: as sent, Unicode-compatibility folded
 * (fullwidth `＜` is `<`), then percent- and entity-decoded up to three rounds
 * (double encoding), and with SQL comments as spaces (`UNION/**\/SELECT`).
 * JSON `\u003c` escapes and GraphQL string escapes are already decoded by the
 * parsers before Loom sees the value.
 */
export function decodedForms(value: string): string[] {
  const forms = new Set<string>([value]);
  let current = value.normalize('NFKC');
  forms.add(current);
  for (let round = 0; round < 3; round++) {
    const next = decodeHtmlEntities(decodePercent(current)).normalize('NFKC');
    if (next === current) break;
    forms.add((current = next));
  }
  forms.add(current.replace(/\/\*[\s\S]*?\*\//g, ' '));
  return [...forms];
}

/** The first pattern any decoded form of `value` matches. */
export function matchingPattern(value: string, patterns: readonly ThreatPattern[]): ThreatPattern | undefined {
  if (patterns.length === 0) return undefined;
  const forms = decodedForms(value);
  return patterns.find(({ pattern }) => forms.some((form) => pattern.test(form)));
}
