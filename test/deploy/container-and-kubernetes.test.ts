import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, validateConfig } from '../../src/config/validate-config';
import { REPO_ROOT } from '../helpers/test-gateway';

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function dockerInstructions(text: string): Array<{ keyword: string; args: string }> {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    });
}

const K8S = join(REPO_ROOT, 'deploy/k8s');

type Manifest = Record<string, any>;

function manifests(): Manifest[] {
  return readdirSync(K8S)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .flatMap((file) => parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((document) => document.toJS()));
}

const byKind = (kind: string) => manifests().find((manifest) => manifest.kind === kind)!;

/** What `loom serve` listens on without a port option: the config default. */
const defaultPort = validateConfig(
  {
    sources: [{ name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml' }],
    bffs: { web: './bff/web.ts' },
  },
  'loom.config.ts',
  REPO_ROOT,
).port;

describe('Dockerfile', () => {
  const instructions = dockerInstructions(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
  const stages = instructions.reduce<Array<typeof instructions>>((all, instruction) => {
    if (instruction.keyword === 'FROM') all.push([]);
    all[all.length - 1]!.push(instruction);
    return all;
  }, []);
  const runtime = stages[stages.length - 1]!;
  const find = (stage: typeof instructions, keyword: string) => stage.filter((item) => item.keyword === keyword);

  it('builds in one stage (npm ci, build, prune) and runs from another', () => {
    expect(stages).toHaveLength(2);
    // The Node major of .nvmrc (and engines.node) in both stages.
    const major = readFileSync(join(REPO_ROOT, '.nvmrc'), 'utf8').trim().split('.')[0];
    expect(stages[0]![0]!.args).toBe(`node:${major}-bookworm-slim AS build`);
    expect(runtime[0]!.args).toBe(`node:${major}-bookworm-slim`);
    const build = find(stages[0]!, 'RUN').map((item) => item.args);
    expect(build).toEqual(['npm ci --no-audit --no-fund', 'npm run build && npm prune --omit=dev']);
    expect(
      find(runtime, 'COPY')
        .filter((item) => item.args.startsWith('--from=build'))
        .map((item) => item.args),
    ).toEqual(['--from=build /app/node_modules ./node_modules', '--from=build /app/dist ./dist']);
  });

  it('runs the compiled CLI as the non-root node user, on the CLI default port, stopped by SIGTERM', () => {
    expect(find(runtime, 'USER').map((item) => item.args)).toEqual(['node']);
    expect(JSON.parse(find(runtime, 'ENTRYPOINT')[0]!.args)).toEqual([
      'node',
      '--max-semi-space-size=32',
      'bin/loom.js',
    ]);
    expect(JSON.parse(find(runtime, 'CMD')[0]!.args)).toEqual(['serve', '--demo']);
    expect(find(runtime, 'EXPOSE').map((item) => Number(item.args))).toEqual([defaultPort]);
    expect(find(runtime, 'ENV')[0]!.args).toContain(`PORT=${defaultPort}`);
    expect(find(runtime, 'STOPSIGNAL').map((item) => item.args)).toEqual(['SIGTERM']);
    expect(find(runtime, 'HEALTHCHECK')[0]!.args).toContain("'/healthz'");
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist', 'test']));
    const copied = instructions
      .filter((item) => item.keyword === 'COPY' && !item.args.startsWith('--from'))
      .flatMap((item) => item.args.split(' ').slice(0, -1));
    for (const source of copied) {
      expect(existsSync(join(REPO_ROOT, source))).toBe(true);
      expect(ignored).not.toContain(source);
    }
  });
});

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('are well-formed objects with an apiVersion, a kind and a name', () => {
    const all = manifests();
    expect(all.map((manifest) => manifest.kind).sort()).toEqual([
      'Deployment',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Service',
    ]);
    for (const manifest of all) {
      expect(typeof manifest.apiVersion).toBe('string');
      expect(manifest.metadata.name).toBe('loom');
    }
  });

  const deployment = byKind('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it('probe /readyz for readiness and /healthz for liveness, on the port the CLI serves', () => {
    const http = container.ports.find((port: Manifest) => port.name === 'http');
    expect(http.containerPort).toBe(defaultPort);
    expect(container.env).toEqual(expect.arrayContaining([{ name: 'PORT', value: String(defaultPort) }]));
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(defaultPort));
  });

  it('give the drain its time: grace period above preStop sleep + shutdownTimeoutMs', () => {
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
    const project = readFileSync(join(K8S, 'project/mesh.config.ts'), 'utf8');
    const shutdownTimeoutMs = Number(/shutdownTimeoutMs: ([\d_]+)/.exec(project)![1]!.replace(/_/g, ''));
    expect(shutdownTimeoutMs).toBe(DEFAULT_SHUTDOWN_TIMEOUT_MS);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(preStopSeconds * 1000 + shutdownTimeoutMs);
  });

  it('mount every project file the config names, from the ConfigMap kustomize generates', () => {
    const kustomization = parseAllDocuments(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'))[0]!.toJS();
    const generated = new Map<string, string>(
      kustomization.configMapGenerator[0].files.map((entry: string) => entry.split('=') as [string, string]),
    );
    const volume = pod.volumes.find((candidate: Manifest) => candidate.name === 'project');
    expect(volume.configMap.name).toBe(kustomization.configMapGenerator[0].name);
    const mount = container.volumeMounts.find((candidate: Manifest) => candidate.name === 'project');
    expect(container.args).toEqual(['serve', '--config', `${mount.mountPath}/mesh.config.ts`]);
    for (const item of volume.configMap.items) {
      // The file the ConfigMap key comes from sits at the path the pod sees it under.
      expect(generated.get(item.key)).toBe(`project/${item.path}`);
      expect(existsSync(join(K8S, 'project', item.path))).toBe(true);
    }
    const project = readFileSync(join(K8S, 'project/mesh.config.ts'), 'utf8');
    for (const path of ['./sources/catalog/openapi.yaml', './bff/web.ts']) expect(project).toContain(`'${path}'`);
  });

  it('run as non-root with a read-only root file system and a writable /tmp', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.volumeMounts).toEqual(expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }]));
  });

  it("select the Deployment's pods from the Service, the PDB and the HPA", () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(byKind('Service').spec.selector).toEqual(labels);
    expect(byKind('Service').spec.ports[0].targetPort).toBe('http');
    expect(byKind('PodDisruptionBudget').spec.selector.matchLabels).toEqual(labels);
    expect(byKind('HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
  });

  it('read Redis and upstream keys from Secrets, never from the manifests', () => {
    const fromSecrets = container.env.filter((variable: Manifest) => variable.valueFrom?.secretKeyRef);
    expect(fromSecrets.map((variable: Manifest) => variable.name).sort()).toEqual([
      'CATALOG_API_KEY',
      'LOOM_REDIS_URL',
    ]);
  });
});
