import { compareNames } from '../../core/compare-names';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * Loads .proto files with their imports into one protobufjs Root. Imports
 * resolve against the include dirs, then the importing file's directory;
 * google/protobuf/* well-known types come from protobufjs itself.
 */
// protobufjs ships descriptor.proto and friends beside its package.json; they
// are the last place an import is looked for (google/api/annotations.proto needs descriptor.proto).
const PROTOBUFJS_DIR = dirname(require.resolve('protobufjs/package.json'));

export function loadProtoRoot(files: readonly string[], includeDirs: readonly string[]): protobuf.Root {
  const root = new protobuf.Root();
  const searchDirs = [...includeDirs, ...files.map((file) => dirname(file)), PROTOBUFJS_DIR];
  root.resolvePath = (origin, target) => {
    if (isAbsolute(target)) return target;
    for (const dir of [origin ? dirname(origin) : '', ...searchDirs]) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync([...files], { keepCase: false });
  root.resolveAll();
  return root;
}

/** Every service in the root, in a stable order. */
export function listServices(root: protobuf.NamespaceBase): protobuf.Service[] {
  const services: protobuf.Service[] = [];
  for (const nested of root.nestedArray) {
    if (nested instanceof protobuf.Service) services.push(nested);
    else if (nested instanceof protobuf.Namespace) services.push(...listServices(nested));
  }
  return services.sort((a, b) => compareNames(a.fullName, b.fullName));
}
