import picomatch from 'picomatch';

/**
 * Decides which types and fields a BFF view keeps, from its include/exclude
 * glob lists. Pure and compiled once: the view calls it while building the
 * schema at start-up, never per request.
 */
export interface CoordinateMatcher {
  /** Whether a named type (not a root type) stays visible; `composite`: an object or interface type. */
  keepsType(typeName: string, composite?: boolean): boolean;
  /** Whether `typeName.fieldName` stays visible (root fields included). */
  keepsField(typeName: string, fieldName: string): boolean;
}

type Matcher = (value: string) => boolean;

const NEVER: Matcher = () => false;
const MATCH_OPTIONS = { dot: true } as const;

function compile(patterns: readonly string[]): Matcher {
  return patterns.length ? picomatch([...patterns], MATCH_OPTIONS) : NEVER;
}

const isFieldPattern = (pattern: string) => pattern.includes('.');

/** `Query.get*` -> `Query`; `{Query,Mutation}.x` -> `{Query,Mutation}`. */
function typePartOf(pattern: string): string {
  let depth = 0;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '{' || char === '(' || char === '[') depth++;
    else if (char === '}' || char === ')' || char === ']') depth--;
    else if (char === '.' && depth === 0) return pattern.slice(0, index);
  }
  return pattern;
}

export interface CoordinateMatcherOptions {
  include?: readonly string[];
  exclude?: readonly string[];
  /** The schema's root type names (`Query`, `Mutation`, `Subscription`). */
  rootTypeNames: readonly string[];
  /** `include` lists everything served (see BffViewOptions.allowList). */
  allowList?: boolean;
}

export function createCoordinateMatcher(options: CoordinateMatcherOptions): CoordinateMatcher {
  return options.allowList ? createAllowListMatcher(options) : createNarrowingMatcher(options);
}

function createExcludeMatcher(exclude: readonly string[]) {
  const matchExcludedType = compile(exclude.filter((pattern) => !isFieldPattern(pattern)));
  const matchExcludedField = compile(exclude.filter(isFieldPattern));
  return { matchExcludedType, matchExcludedField };
}

/**
 * Allow-list: a field is kept when a field pattern names it or a type pattern
 * names its type; an object or interface type when any pattern names it.
 * Other types are kept unless excluded: pruning drops those no kept field uses.
 */
function createAllowListMatcher({ include = [], exclude = [] }: CoordinateMatcherOptions): CoordinateMatcher {
  const matchType = compile(include.filter((pattern) => !isFieldPattern(pattern)));
  const includedFields = include.filter(isFieldPattern);
  const matchField = compile(includedFields);
  const matchFieldType = compile(includedFields.map(typePartOf));
  const { matchExcludedType, matchExcludedField } = createExcludeMatcher(exclude);
  return {
    keepsType: (typeName, composite = true) =>
      (!composite || matchType(typeName) || matchFieldType(typeName)) && !matchExcludedType(typeName),
    keepsField: (typeName, fieldName) => {
      const coordinate = `${typeName}.${fieldName}`;
      return (matchType(typeName) || matchField(coordinate)) && !matchExcludedField(coordinate);
    },
  };
}

function createNarrowingMatcher({
  include = [],
  exclude = [],
  rootTypeNames,
}: CoordinateMatcherOptions): CoordinateMatcher {
  const includedTypes = include.filter((pattern) => !isFieldPattern(pattern));
  const includedFields = include.filter(isFieldPattern);
  const matchIncludedType = includedTypes.length ? compile(includedTypes) : () => true;
  const matchIncludedField = compile(includedFields);
  // An include field pattern only narrows the types its type part names, except
  // that root fields are one list: including `Query.*` alone hides every mutation.
  const matchNarrowedType = compile(includedFields.map(typePartOf));
  const narrowsRootFields = rootTypeNames.some(matchNarrowedType);
  const roots = new Set(rootTypeNames);
  const isNarrowedType = (typeName: string) => (roots.has(typeName) ? narrowsRootFields : matchNarrowedType(typeName));
  const { matchExcludedType, matchExcludedField } = createExcludeMatcher(exclude);
  return {
    keepsType: (typeName) => matchIncludedType(typeName) && !matchExcludedType(typeName),
    keepsField(typeName, fieldName) {
      const coordinate = `${typeName}.${fieldName}`;
      if (isNarrowedType(typeName) && !matchIncludedField(coordinate)) return false;
      return !matchExcludedField(coordinate);
    },
  };
}
