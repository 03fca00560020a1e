import { existsSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as protobuf from 'protobufjs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../core/errors';
import { isUrl } from '../handlers/spec-location';
import { parseXmlTree, type XmlNode } from '../handlers/soap/xml-tree';
import { readSpecFile, type SpecReadLimits } from './read-spec-file';

export type SpecKind = 'openapi' | 'grpc' | 'soap';

export interface SpecClosureOptions extends SpecReadLimits {
  readonly kind: SpecKind;
  /** The spec: a file path (absolute) or an http(s) URL. */
  readonly location: string;
  /** gRPC: directories imports resolve against (absolute), as `--include-dir` gives them. */
  readonly includeDirs?: readonly string[];
  /** Most files the closure may hold. */
  readonly maxFiles: number;
  /** Called with each file as it is read. */
  readonly onFile?: (location: string) => void;
}

export interface SpecClosure {
  /** The entry spec's path inside the copy. */
  readonly entry: string;
  /** Every file the spec needs, by its path inside the copy (forward slashes). */
  readonly files: ReadonlyMap<string, Buffer>;
  /** References left where they are (absolute URLs), for the user to know. */
  readonly remote: readonly string[];
}

interface Reference {
  /** Where the referenced file is. */
  readonly location: string;
  /** gRPC: the path the import names, which must stay the same in the copy. */
  readonly importPath?: string;
}

const ENTRY_EXTENSIONS: Readonly<Record<SpecKind, readonly string[]>> = {
  openapi: ['.yaml', '.yml', '.json'],
  grpc: ['.proto'],
  soap: ['.wsdl', '.xml'],
};

function resolveAgainst(base: string, target: string): string {
  if (isUrl(target)) return target;
  return isUrl(base) ? new URL(target, base).toString() : resolve(dirname(base), target);
}

/** Every `$ref` of a YAML/JSON document that points to another file. */
function openApiReferences(location: string, text: string, remote: Set<string>): Reference[] {
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: -1 });
  } catch {
    return []; // not YAML (an example file): copied, not followed; the handler reports a bad spec itself
  }
  const references: Reference[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const target = value.split('#')[0]!;
        if (target === '') continue;
        if (isUrl(target) && !isUrl(location)) remote.add(target);
        else references.push({ location: resolveAgainst(location, decodeURI(target)) });
      } else visit(value);
    }
  };
  visit(document);
  return references;
}

/** wsdl:import `location`, xsd:import and xsd:include `schemaLocation`, anywhere in the document. */
function wsdlReferences(location: string, text: string, remote: Set<string>): Reference[] {
  let root: XmlNode;
  try {
    root = parseXmlTree(text);
  } catch (error) {
    throw new ConfigError(`${location}: ${(error as Error).message}`);
  }
  const references: Reference[] = [];
  const visit = (node: XmlNode) => {
    if (node.local === 'import' || node.local === 'include') {
      const target = node.attrs.schemaLocation ?? node.attrs.location;
      if (target && isUrl(target) && !isUrl(location)) remote.add(target);
      else if (target) references.push({ location: resolveAgainst(location, target) });
    }
    node.children.forEach(visit);
  };
  visit(root);
  return references;
}

const PROTOBUFJS_DIR = dirname(require.resolve('protobufjs/package.json'));

/**
 * `import "x.proto"` as loadProtoRoot resolves it: the importing file's
 * directory, then the include dirs. `google/protobuf/*` that protobufjs ships
 * are built in and not copied.
 */
function protoReferences(location: string, text: string, includeDirs: readonly string[]): Reference[] {
  let parsed: protobuf.IParserResult;
  try {
    parsed = protobuf.parse(text, { keepCase: true });
  } catch (error) {
    throw new ConfigError(`${location}: ${(error as Error).message}`);
  }
  return [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])].flatMap((importPath) => {
    if (isUrl(location)) return [{ location: new URL(importPath, location).toString(), importPath }];
    for (const dir of [dirname(location), ...includeDirs]) {
      const candidate = join(dir, importPath);
      if (existsSync(candidate)) return [{ location: candidate, importPath }];
    }
    // Well-known types: protobufjs has them built in (common) or beside its package.json.
    if (protobuf.common.get(importPath) || existsSync(join(PROTOBUFJS_DIR, importPath))) return [];
    throw new ConfigError(
      `${location}: import "${importPath}" not found in ${[dirname(location), ...includeDirs].join(', ')} (add --include-dir <dir>)`,
    );
  });
}

/** Path segments of a URL path as file names: decoded, and never `..`, empty or with a separator. */
function urlSegments(url: string): string[] {
  const { pathname } = new URL(url);
  return pathname
    .split('/')
    .slice(1)
    .map((segment) => {
      let name: string;
      try {
        name = decodeURIComponent(segment);
      } catch {
        throw new ConfigError(`${url}: the path is not valid percent-encoding`);
      }
      if (name === '' || name === '.' || name === '..' || /[\\/\0:]/.test(name))
        throw new ConfigError(`${url}: cannot be saved as a file (path segment ${JSON.stringify(segment)})`);
      return name;
    });
}

function commonPrefix(lists: readonly string[][]): string[] {
  const [first = [], ...rest] = lists;
  let length = first.length;
  for (const list of rest) {
    let index = 0;
    while (index < length && index < list.length && list[index] === first[index]) index++;
    length = index;
  }
  return first.slice(0, length);
}

/**
 * Where each file goes in the copy. OpenAPI and WSDL keep their layout below
 * the deepest folder (or URL path) all the files share, so relative
 * references resolve in the copy as they did at the origin. Protos sit at the
 * path their imports name (the copy is their include dir); the entry at its
 * path below the include dir that holds it.
 */
function layout(options: SpecClosureOptions, order: readonly string[], importPaths: Map<string, string>): string[] {
  const { location: entry, kind } = options;
  const toParts = (location: string) => (isUrl(location) ? urlSegments(location) : resolve(location).split(sep));
  if (kind === 'grpc') {
    const includeDir = options.includeDirs?.find((dir) => !relative(dir, entry).startsWith('..'));
    const entryPath = isUrl(entry)
      ? urlSegments(entry).at(-1)!
      : includeDir
        ? relative(includeDir, entry)
        : basename(entry);
    return order.map((location) => (location === entry ? entryPath.split(sep).join('/') : importPaths.get(location)!));
  }
  const parts = order.map(toParts);
  const shared = commonPrefix(parts.map((list) => list.slice(0, -1)));
  return parts.map((list) => list.slice(shared.length).join('/'));
}

/** A name for an entry URL without a usable extension (`/v3/api-docs`). */
function withEntryExtension(kind: SpecKind, path: string, bytes: Buffer): string {
  if (ENTRY_EXTENSIONS[kind].includes(extname(path).toLowerCase())) return path;
  const extension =
    kind === 'openapi'
      ? bytes.toString('utf8').trimStart().startsWith('{')
        ? '.json'
        : '.yaml'
      : ENTRY_EXTENSIONS[kind][0];
  return `${path}${extension}`;
}

/**
 * Reads a spec and every file it references (imported protos, XSD imports and
 * includes, wsdl:imports, external OpenAPI `$ref`s), once each, and lays them
 * out for a copy in sources/<name>/ in which every reference still resolves.
 */
export async function collectSpecClosure(options: SpecClosureOptions): Promise<SpecClosure> {
  const { kind, location: entry, includeDirs = [], maxFiles } = options;
  const contents = new Map<string, Buffer>();
  const importPaths = new Map<string, string>();
  const remote = new Set<string>();
  const queue: Reference[] = [{ location: entry }];
  const origin = isUrl(entry) ? new URL(entry).origin : undefined;
  while (queue.length > 0) {
    const { location, importPath } = queue.shift()!;
    if (contents.has(location)) continue;
    // Never a request to a server the user did not name.
    if (origin && (!isUrl(location) || new URL(location).origin !== origin))
      throw new ConfigError(`${location}: referenced from ${entry} but on another server; copy it by hand`);
    if (origin) urlSegments(location); // a name the copy cannot hold is refused before any request
    if (contents.size >= maxFiles)
      throw new ConfigError(`${entry}: references more than ${maxFiles} files; copy the spec by hand`);
    options.onFile?.(location);
    const bytes = await readSpecFile(location, options);
    contents.set(location, bytes);
    if (importPath !== undefined) {
      const known = importPaths.get(location);
      importPaths.set(location, known ?? importPath);
    }
    const text = bytes.toString('utf8');
    const references =
      kind === 'openapi'
        ? openApiReferences(location, text, remote)
        : kind === 'soap'
          ? wsdlReferences(location, text, remote)
          : protoReferences(location, text, includeDirs);
    queue.push(...references);
  }
  const order = [...contents.keys()];
  const paths = layout(options, order, importPaths);
  const files = new Map<string, Buffer>();
  let entryPath = '';
  order.forEach((location, index) => {
    const bytes = contents.get(location)!;
    let path = paths[index]!;
    if (location === entry && isUrl(entry)) path = withEntryExtension(kind, path, bytes);
    if (location === entry) entryPath = path;
    if (path === '' || isAbsolute(path) || path.split('/').includes('..'))
      throw new ConfigError(`${location}: cannot be placed inside sources/<name>/`);
    const clash = files.get(path);
    if (clash && !clash.equals(bytes))
      throw new ConfigError(`${location}: two different files would be copied to ${path}; copy the spec by hand`);
    files.set(path, bytes);
  });
  return { entry: entryPath, files, remote: [...remote] };
}
