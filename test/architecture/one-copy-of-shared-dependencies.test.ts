import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/test-gateway';

/**
 * Yoga, envelop's plugins and Mesh ask for @graphql-tools/utils ^11 and
 * executor ^1 or ^2, graphql-tools' own packages for utils ^12: npm would
 * install a dozen copies, each loaded at start-up and compiled apart. The
 * overrides in package.json keep one of each (utils 12 exports everything 11
 * did; executor 2 keeps the getVariableValues generic-auth calls). The same
 * for graphql-scalars (transport-rest asks for ^1; 2.0 has the same scalars,
 * under the same names, and differs in one error helper) and protobufjs
 * (@grpc/proto-loader, which the demo's gRPC backend uses, asks for ^7; Loom
 * reads protos with 8): each second copy was 40 to 85 more modules at start-up.
 */
describe('one copy of each shared dependency', () => {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const copies = (name: string) =>
    Object.entries(lock.packages)
      .filter(([path]) => path.endsWith(`node_modules/${name}`))
      .map(([path, entry]) => `${path}@${entry.version}`);

  it('locks one @graphql-tools/utils and one @graphql-tools/executor', () => {
    expect(copies('@graphql-tools/utils')).toEqual([
      expect.stringMatching(/^node_modules\/@graphql-tools\/utils@12\./),
    ]);
    expect(copies('@graphql-tools/executor')).toEqual([
      expect.stringMatching(/^node_modules\/@graphql-tools\/executor@2\./),
    ]);
  });

  it('locks one graphql-scalars and one protobufjs, and the packages that asked for older ones load them', () => {
    expect(copies('graphql-scalars')).toEqual([expect.stringMatching(/^node_modules\/graphql-scalars@2\./)]);
    expect(copies('protobufjs')).toEqual([expect.stringMatching(/^node_modules\/protobufjs@8\./)]);
    const resolvedFrom = (name: string, owner: string) => require.resolve(name, { paths: [require.resolve(owner)] });
    expect(resolvedFrom('graphql-scalars', '@graphql-mesh/transport-rest')).toBe(require.resolve('graphql-scalars'));
    expect(resolvedFrom('protobufjs', '@grpc/proto-loader')).toBe(require.resolve('protobufjs'));
  });

  it('gives generic-auth an executor with the function it calls', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const executor = require(
      require.resolve('@graphql-tools/executor', { paths: [require.resolve('@envelop/generic-auth')] }),
    ) as Record<string, unknown>;
    expect(typeof executor.getVariableValues).toBe('function');
  });
});
