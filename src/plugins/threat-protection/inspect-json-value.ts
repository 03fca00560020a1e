/** Structural limits on client input (JSON threat protection). */
export interface InputLimits {
  maxStringLength: number;
  maxArrayLength: number;
  maxDepth: number;
  maxObjectKeys: number;
  maxKeyLength: number;
  maxValues: number;
}

export type LimitName = keyof InputLimits;

/** A limit a value broke, where it was. */
export interface LimitBreach {
  rule: LimitName;
  path: string;
  limit: number;
}

/** Counts shared by every value of one request, so many small values cannot add up past `maxValues`. */
export interface InspectionBudget {
  values: number;
}

const describePath = (base: string, segments: readonly (string | number)[]) =>
  [base, ...segments].filter((segment) => segment !== '').join('.');

/**
 * Walks a JSON value (parsed variables, an inline argument) without recursion,
 * so a 10k-deep object costs a loop, not the stack; it stops at the first
 * breach and never looks past it (a 1e6-item list is refused on its length
 * before one item is read). `onString` sees every string and object key
 * within the limits (pattern rules).
 */
export function inspectJsonValue(
  root: unknown,
  basePath: string,
  limits: InputLimits,
  budget: InspectionBudget,
  onString?: (text: string, path: string) => void,
  baseDepth = 0,
): LimitBreach | undefined {
  const stack: Array<{ value: unknown; path: (string | number)[]; depth: number }> = [
    { value: root, path: [], depth: baseDepth },
  ];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (++budget.values > limits.maxValues)
      return { rule: 'maxValues', path: describePath(basePath, path), limit: limits.maxValues };
    if (typeof value === 'string') {
      if (value.length > limits.maxStringLength)
        return { rule: 'maxStringLength', path: describePath(basePath, path), limit: limits.maxStringLength };
      onString?.(value, describePath(basePath, path));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const childDepth = depth + 1;
    if (childDepth > limits.maxDepth)
      return { rule: 'maxDepth', path: describePath(basePath, path), limit: limits.maxDepth };
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayLength)
        return { rule: 'maxArrayLength', path: describePath(basePath, path), limit: limits.maxArrayLength };
      for (let index = value.length - 1; index >= 0; index--)
        stack.push({ value: value[index], path: [...path, index], depth: childDepth });
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > limits.maxObjectKeys)
      return { rule: 'maxObjectKeys', path: describePath(basePath, path), limit: limits.maxObjectKeys };
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index];
      if (key.length > limits.maxKeyLength)
        return { rule: 'maxKeyLength', path: describePath(basePath, path), limit: limits.maxKeyLength };
      onString?.(key, describePath(basePath, [...path, key]));
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key], depth: childDepth });
    }
  }
  return undefined;
}
