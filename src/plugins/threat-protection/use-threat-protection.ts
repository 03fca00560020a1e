import {
  type GraphQLError,
  isInputObjectType,
  isObjectType,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { inputRejected } from '../../core/errors';
import { getOrCreateCounter } from '../../observability/get-or-create-metric';
import { withGatewayServices, type GatewayServices } from '../shared/gateway-services';
import { PolicyOptionError, requireOneOf, requirePositiveInteger } from '../shared/option-checks';
import { inspectJsonValue, type InputLimits, type InspectionBudget, type LimitBreach } from './inspect-json-value';
import { collectArgumentValues, walkFieldRules } from './inspect-arguments';
import { deepestArgumentNesting } from './scan-argument-nesting';
import { BUILT_IN_PATTERNS, matchingPattern, type BuiltInPatternName, type ThreatPattern } from './threat-patterns';

/** A built-in signature family by name, or your own `{ name, pattern }`. */
export type PatternRule = BuiltInPatternName | ThreatPattern;

export interface ThreatProtectionOptions {
  /** Longest string value, in UTF-16 code units, in variables and inline arguments. @default 10000 */
  maxStringLength?: number;
  /** Most items in one list. @default 1000 */
  maxArrayLength?: number;
  /** Deepest nesting of input objects and lists (a list of objects is 2). @default 16 */
  maxDepth?: number;
  /** Most keys in one input object. @default 100 */
  maxObjectKeys?: number;
  /** Longest object key. @default 100 */
  maxKeyLength?: number;
  /** Most values (strings, numbers, objects, items...) in one operation's variables and arguments together. @default 10000 */
  maxValues?: number;
  /** Signatures checked on every string and key of every input. @default [] */
  patterns?: PatternRule[];
  /**
   * Signatures for some inputs only, by argument coordinate (`Query.search.term`)
   * or input field coordinate (`ReviewInput.body`); they apply to every string
   * beneath. Checked at start-up against the schema. @default {}
   */
  fieldPatterns?: Record<string, PatternRule[]>;
  /**
   * What a pattern match does: `block` refuses the request (400 INPUT_REJECTED
   * naming the rule), `log` lets it through with a warning and a metric (to try
   * rules on real traffic first). Size limits always block. @default 'block'
   */
  mode?: 'block' | 'log';
}

const DEFAULT_LIMITS: InputLimits = {
  maxStringLength: 10_000,
  maxArrayLength: 1_000,
  maxDepth: 16,
  maxObjectKeys: 100,
  maxKeyLength: 100,
  maxValues: 10_000,
};

const POLICY = 'useThreatProtection';

function resolvePattern(rule: PatternRule, at: string): ThreatPattern {
  if (typeof rule === 'string') {
    const builtIn = BUILT_IN_PATTERNS[rule];
    if (!builtIn)
      throw new PolicyOptionError(
        POLICY,
        `${at}: "${rule}" is not one of ${Object.keys(BUILT_IN_PATTERNS).join(', ')}`,
      );
    return builtIn;
  }
  if (!rule || typeof rule.name !== 'string' || rule.name === '' || !(rule.pattern instanceof RegExp))
    throw new PolicyOptionError(POLICY, `${at}: a custom rule is { name: string, pattern: RegExp }`);
  // A global or sticky RegExp keeps lastIndex between tests and would skip matches.
  if (rule.pattern.global || rule.pattern.sticky)
    throw new PolicyOptionError(POLICY, `${at}: pattern "${rule.name}" must not use the g or y flag`);
  return rule;
}

function resolveOptions(options: ThreatProtectionOptions) {
  const limits = { ...DEFAULT_LIMITS };
  for (const name of Object.keys(DEFAULT_LIMITS) as (keyof InputLimits)[]) {
    if (options[name] === undefined) continue;
    requirePositiveInteger(POLICY, name, options[name]);
    limits[name] = options[name] as number;
  }
  const mode = options.mode ?? 'block';
  requireOneOf(POLICY, 'mode', mode, ['block', 'log'] as const);
  const patterns = (options.patterns ?? []).map((rule, index) => resolvePattern(rule, `patterns[${index}]`));
  const fieldPatterns = new Map<string, ThreatPattern[]>();
  for (const [coordinate, rules] of Object.entries(options.fieldPatterns ?? {})) {
    if (!Array.isArray(rules)) throw new PolicyOptionError(POLICY, `fieldPatterns["${coordinate}"] must be a list`);
    fieldPatterns.set(
      coordinate,
      rules.map((rule, index) => resolvePattern(rule, `fieldPatterns["${coordinate}"][${index}]`)),
    );
  }
  return { limits, mode, patterns, fieldPatterns };
}

/** Each fieldPatterns key names a `Type.field.argument` or `InputType.field` of the schema. */
function validateCoordinates(schema: GraphQLSchema, coordinates: Iterable<string>): void {
  for (const coordinate of coordinates) {
    const [typeName, fieldName, argumentName, extra] = coordinate.split('.');
    const type = schema.getType(typeName);
    const field = fieldName !== undefined && type && 'getFields' in type ? type.getFields()[fieldName] : undefined;
    const known =
      extra === undefined &&
      field !== undefined &&
      ((isInputObjectType(type) && argumentName === undefined) ||
        (isObjectType(type) &&
          argumentName !== undefined &&
          'args' in field &&
          field.args.some((arg) => arg.name === argumentName)));
    if (!known)
      throw new PolicyOptionError(
        POLICY,
        `fieldPatterns: "${coordinate}" is not a Type.field.argument or InputType.field of this schema`,
      );
  }
}

const breachMessage = ({ rule, path, limit }: LimitBreach) => `Input rejected by ${rule} (limit ${limit}) at ${path}`;

type ResolvedOptions = ReturnType<typeof resolveOptions>;

/** The checks of one plugin instance, bound to the gateway's logger and metrics. */
function createInputInspector({ limits, mode, patterns, fieldPatterns }: ResolvedOptions, services: GatewayServices) {
  const findings = getOrCreateCounter(services.metrics, {
    name: 'loom_threat_protection_findings_total',
    help: 'Inputs that broke a threat-protection limit or matched a pattern rule, by rule and action',
    labelNames: ['bff', 'rule', 'action'],
  });
  const budgets = new WeakMap<object, InspectionBudget>();

  /** A pattern match: refuse (block) or note (log). Returns the refusal, if any. */
  const onMatch = (pattern: ThreatPattern, path: string): GraphQLError | undefined => {
    findings.inc({ bff: services.bffName, rule: pattern.name, action: mode === 'block' ? 'blocked' : 'logged' });
    // The value itself is never logged: it is the attacker's text.
    services.logger.warn(
      { component: 'threat-protection', rule: pattern.name, path, mode },
      'input matched a pattern rule',
    );
    return mode === 'block'
      ? inputRejected(`Input rejected by rule ${pattern.name} at ${path}`, pattern.name, path)
      : undefined;
  };
  const onBreach = (breach: LimitBreach): GraphQLError => {
    findings.inc({ bff: services.bffName, rule: breach.rule, action: 'blocked' });
    return inputRejected(breachMessage(breach), breach.rule, breach.path);
  };

  /** Limits and global patterns over one JSON value; the first refusal, if any. */
  function inspect(value: unknown, path: string, budget: InspectionBudget, baseDepth = 0): GraphQLError | undefined {
    let refusal: GraphQLError | undefined;
    const breach = inspectJsonValue(
      value,
      path,
      limits,
      budget,
      (text, at) => {
        if (refusal) return;
        const match = matchingPattern(text, patterns);
        if (match) refusal = onMatch(match, at);
      },
      baseDepth,
    );
    return breach ? onBreach(breach) : refusal;
  }

  function inspectOperation(args: ExecutionArgs): GraphQLError | undefined {
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const budget = budgets.get(args.contextValue as object) ?? { values: 0 };
    for (const argument of collectArgumentValues(args.schema, args.document, variables)) {
      if (argument.inline) {
        const refusal = inspect(argument.value, argument.coordinate, budget);
        if (refusal) return refusal;
      }
      let refusal: GraphQLError | undefined;
      walkFieldRules(
        argument.value,
        argument.type,
        argument.coordinate,
        fieldPatterns.get(argument.coordinate) ?? [],
        (coordinate) => fieldPatterns.get(coordinate),
        (text, path, rules) => {
          if (refusal) return;
          const match = matchingPattern(text, rules);
          if (match) refusal = onMatch(match, path);
        },
      );
      if (refusal) return refusal;
    }
    return undefined;
  }

  return { inspect, inspectOperation, onBreach, budgets };
}

/**
 * JSON threat protection and a small WAF rule set for GraphQL inputs: size
 * limits on every string, list, object and nesting level in `variables` and
 * inline arguments, and signature rules (SQL injection, script injection,
 * path traversal, your own) on decoded strings, globally or per argument and
 * input field. Variables are checked as the request's parameters arrive
 * (before parsing), inline arguments before execution: a refused request
 * reaches no upstream.
 */
export function useThreatProtection(options: ThreatProtectionOptions = {}): Plugin {
  const resolved = resolveOptions(options);
  const { limits, fieldPatterns } = resolved;
  return withGatewayServices((services) => {
    const { inspect, inspectOperation, onBreach, budgets } = createInputInspector(resolved, services);
    const checkOperation = ({
      args,
      setResultAndStopExecution,
    }: {
      args: ExecutionArgs;
      setResultAndStopExecution: (result: ExecutionResult) => void;
    }) => {
      const refusal = inspectOperation(args);
      if (refusal) setResultAndStopExecution({ errors: [refusal] });
    };

    return {
      onSchemaChange({ schema }) {
        validateCoordinates(schema, fieldPatterns.keys());
      },
      onParams({ params, context }) {
        if (typeof params.query === 'string' && deepestArgumentNesting(params.query, limits.maxDepth) > limits.maxDepth)
          throw onBreach({ rule: 'maxDepth', path: 'query', limit: limits.maxDepth });
        const budget: InspectionBudget = { values: 0 };
        if (context && typeof context === 'object') budgets.set(context, budget);
        if (params.variables === undefined || params.variables === null) return;
        // The variables map itself is not a nesting level: its values are the inputs.
        const refusal = inspect(params.variables, 'variables', budget, -1);
        if (refusal) throw refusal;
      },
      onExecute: checkOperation,
      onSubscribe: checkOperation,
    };
  });
}
