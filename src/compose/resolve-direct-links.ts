import { GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import { missingKey } from '../core/errors';
import type { DirectLink } from './same-source-links';

type Json = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;

/** Runs one batch document on the source (its executor, with the request's context). */
export type RunBatch = (document: DocumentNode, variables: { keys: unknown[] }) => Promise<ExecutionResult>;

/** Where a value sits: its holder's place and its own slot (a path, built only for an error). */
interface Place {
  readonly parent: Place | undefined;
  readonly slot: string | number;
}

function pathOf(place: Place): Array<string | number> {
  const path: Array<string | number> = [];
  for (let at: Place | undefined = place; at; at = at.parent) path.push(at.slot);
  return path.reverse();
}

/** A parent object the source answered, where a link's key stands in for the link field. */
interface Site {
  readonly holder: Json | unknown[];
  readonly place: Place;
  readonly key: unknown;
}

/** What takes an entity's place when it cannot be had: message and extensions, and a thrown cause to keep masked. */
interface Failure {
  readonly message: string;
  readonly extensions?: Record<string, unknown>;
  readonly originalError?: Error;
}

/** One link's answer for a key: the entity (without its private key), or the failure that takes its place. */
type Answer = { value: unknown } | { failure: Failure };

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** Every parent carrying one of the links' key aliases, in document order (a pre-order walk), with its path. */
function findSites(data: Json, links: readonly DirectLink[]): Array<Site & { link: DirectLink }> {
  const sites: Array<Site & { link: DirectLink }> = [];
  const walk = (holder: Json | unknown[], place: Place) => {
    const value = (holder as Record<string | number, unknown>)[place.slot];
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) walk(value, { parent: place, slot: index });
      return;
    }
    if (!isObject(value)) return;
    for (const link of links)
      if (link.keyAlias in value) sites.push({ holder, place, key: value[link.keyAlias], link });
    for (const name in value) if (isObject(value[name])) walk(value, { parent: place, slot: name });
  };
  for (const name in data) walk(data, { parent: undefined, slot: name });
  return sites;
}

/** A copy without the private key (a rest pattern with a computed key is several times slower). */
function withoutKey(item: Json, alias: string): Json {
  const entity: Json = {};
  for (const name in item) if (name !== alias) entity[name] = item[name];
  return entity;
}

/** The batch call's answer per key: matched by the entity's key, whatever order the source answers in. */
async function answersFor(link: DirectLink, keys: unknown[], runBatch: RunBatch): Promise<Map<unknown, Answer>> {
  const answers = new Map<unknown, Answer>();
  const everyKey = (failure: Failure) => {
    for (const key of keys) answers.set(key, { failure });
    return answers;
  };
  let result: ExecutionResult;
  try {
    result = await runBatch(link.batchDocument, { keys });
  } catch (error) {
    // A thrown value that is not a GraphQLError stays masked in production, as it is through delegation.
    const thrown = error as Error;
    return everyKey(error instanceof GraphQLError ? thrown : { message: thrown.message, originalError: thrown });
  }
  const list = (result.data as Json | null | undefined)?.[link.batchField];
  if (!Array.isArray(list) && result.errors?.length) {
    // The call failed as a whole: every parent gets its error, as stitching reports it.
    const [first, ...more] = result.errors;
    return everyKey(more.length === 0 ? first : { message: result.errors.map((error) => error.message).join(', \n') });
  }
  const byKey = new Map<string, Json>();
  for (const item of Array.isArray(list) ? list : []) {
    if (!isObject(item)) continue;
    byKey.set(
      String(item[link.entityKeyAlias]),
      link.entityKeyIsPrivate ? withoutKey(item, link.entityKeyAlias) : item,
    );
  }
  for (const key of keys) {
    const entity = byKey.get(String(key));
    answers.set(key, entity ? { value: entity } : { failure: missingKey(link.sourceName, link.entityTypeName, key) });
  }
  return answers;
}

/** The parent object with the link's key replaced by its answer, in the same place (JSON keys keep their order). */
function withAnswer(parent: Json, link: DirectLink, value: unknown): Json {
  const out: Json = {};
  for (const name in parent) {
    if (name === link.keyAlias) out[link.responseKey] = value;
    else out[name] = parent[name];
  }
  return out;
}

/** Error paths name the client's link field, never a private alias. */
function clientPath(path: Path | undefined, links: readonly DirectLink[]): Path | undefined {
  if (!path?.some((segment) => links.some((link) => link.keyAlias === segment))) return path;
  return path.map((segment) => links.find((link) => link.keyAlias === segment)?.responseKey ?? segment);
}

/**
 * Completes a routed answer's same-source links: one batch call per link
 * for its distinct non-null keys (null key: null, no call), each parent's
 * key replaced by its entity, MISSING_KEY for a key the source did not
 * return, and the batch call's failure reported at every parent's path.
 */
export async function resolveDirectLinks(
  result: ExecutionResult,
  links: readonly DirectLink[],
  runBatch: RunBatch,
): Promise<ExecutionResult> {
  const errors: GraphQLError[] = (result.errors ?? []).map((error) =>
    error.path && clientPath(error.path, links) !== error.path
      ? new GraphQLError(error.message, {
          path: clientPath(error.path, links),
          extensions: error.extensions,
          originalError: error.originalError ?? undefined,
        })
      : error,
  );
  const data = result.data as Json | null | undefined;
  if (!data) return result.errors ? { ...result, errors } : result;
  const sites = findSites(data, links);
  const answers = await Promise.all(
    links.map((link) => {
      const keys = [...new Set(sites.flatMap((site) => (site.link === link && site.key != null ? [site.key] : [])))];
      return keys.length > 0 ? answersFor(link, keys, runBatch) : new Map<unknown, Answer>();
    }),
  );
  const siteErrors: GraphQLError[] = [];
  // Last site first: a parent is rebuilt after the links below it, so it copies their answers.
  for (let index = sites.length - 1; index >= 0; index--) {
    const { holder, place, key, link } = sites[index];
    const answer: Answer = key == null ? { value: null } : answers[links.indexOf(link)].get(key)!;
    const { message, extensions, originalError } = 'failure' in answer ? answer.failure : ({} as Partial<Failure>);
    if (message !== undefined)
      siteErrors.push(
        new GraphQLError(message, { path: [...pathOf(place), link.responseKey], extensions, originalError }),
      );
    const slots = holder as Record<string | number, unknown>;
    slots[place.slot] = withAnswer(slots[place.slot] as Json, link, 'value' in answer ? answer.value : null);
  }
  errors.push(...siteErrors.reverse());
  // Errors first when there are any, as graphql-js (and so stitching) builds a result.
  const { errors: _errors, data: _data, ...rest } = result;
  return errors.length > 0 ? { errors, data, ...rest } : { data, ...rest };
}
