// infra/k8s validated offline (no cluster is reachable here): every object against the
// Kubernetes API schemas of kubernetes-models, the kustomize base complete, the Job shaped for
// exact slices (Indexed, no retries, all at once, one per node), the env it gives a pod being what
// the shard entry point reads, and the Dockerfile copying and running files that exist.
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions, SHARD_ENV } from '@c1m/driver';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import {
  containerArgv,
  containerEnv,
  expandVars,
  findObject,
  generatedConfigMap,
  K8S_DIR,
  podContainers,
  readKustomization,
  readResources,
  type K8sObject,
} from '../src/k8s/manifests.ts';
import { repoRoot } from '../src/lib/paths.ts';

/** The model class of each kind the base uses; a kind missing here fails the test (add its schema). */
const MODELS: Record<string, new (data: object) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'batch/v1/Job': Job,
};

/**
 * Sysctls every kubelet allows in a pod's securityContext (Kubernetes "safe" set, 1.29+); others need
 * --allowed-unsafe-sysctls.
 */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

const runConfig = () => ({ 'c1m-run': generatedConfigMap('c1m-run') });
const podSpec = (o: K8sObject) => (o.spec as { template: { spec: Record<string, unknown> } }).template.spec;

describe('infra/k8s', () => {
  it('validates every object against the Kubernetes API schemas', () => {
    const objects = readResources();
    expect(objects.map(({ object }) => `${object.kind}/${object.metadata.name}`).sort()).toEqual(
      [
        'DaemonSet/c1m-node-tuning',
        'Deployment/c1m-server',
        'Job/c1m-load',
        'Namespace/c1m',
        'Service/c1m-server',
      ].sort(),
    );
    for (const { file, object } of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${file}: ${object.apiVersion} ${object.kind} has no schema here`).toBeDefined();
      expect(() => new Model!(object).validate(), `${file}: ${object.kind}/${object.metadata.name}`).not.toThrow();
    }
    expect(() =>
      new ConfigMap({ metadata: { name: 'c1m-run' }, data: runConfig()['c1m-run'] }).validate(),
    ).not.toThrow();
  });

  it('would catch a wrong field: the schemas are really applied', () => {
    const job = findObject('Job', 'c1m-load');
    const broken = structuredClone(job) as K8sObject & { spec: { backoffLimit: unknown } };
    broken.spec.backoffLimit = 'none';
    expect(() => new Job(broken as unknown as ConstructorParameters<typeof Job>[0]).validate()).toThrow(/backoffLimit/);
  });

  it('lists every manifest in kustomization.yaml, and every file it names exists', () => {
    const k = readKustomization();
    const listed = new Set([
      ...k.resources,
      'kustomization.yaml',
      ...(k.configMapGenerator ?? []).flatMap((g) => g.envs ?? []),
    ]);
    const present = readdirSync(K8S_DIR).filter((f) => /\.(ya?ml|env)$/.test(f));
    expect(present.sort()).toEqual([...listed].sort());
    expect(k.namespace).toBe('c1m');
  });

  it('runs the load as an Indexed Job whose slices can neither double nor share a node', () => {
    const job = findObject('Job', 'c1m-load');
    const spec = job.spec as { completionMode: string; completions: number; parallelism: number; backoffLimit: number };
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.backoffLimit).toBe(0);
    // Every slice at once: they wait for one start time.
    expect(spec.parallelism).toBe(spec.completions);
    const pod = podSpec(job) as {
      restartPolicy: string;
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: Array<{
            topologyKey: string;
            labelSelector: { matchExpressions: Array<{ values: string[] }> };
          }>;
        };
      };
    };
    expect(pod.restartPolicy).toBe('Never');
    const [term] = pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    expect(term!.topologyKey).toBe('kubernetes.io/hostname');
    expect(term!.labelSelector.matchExpressions[0]!.values.sort()).toEqual(['c1m-load', 'c1m-server']);
  });

  it('gives each pod the env the shard entry point reads: slice I of completions, one start time', () => {
    const job = findObject('Job', 'c1m-load');
    const completions = (job.spec as { completions: number }).completions;
    const [load] = podContainers(job);
    const start = '2026-12-03T12:00:00Z';
    for (const index of [0, completions - 1]) {
      // Kubernetes sets JOB_COMPLETION_INDEX on each pod of an Indexed Job.
      const env = containerEnv(
        load!,
        { 'c1m-run': { ...runConfig()['c1m-run'], [SHARD_ENV.startAt]: start } },
        { [SHARD_ENV.index]: String(index) },
      );
      const argv = containerArgv(load!, env);
      expect(argv[0]).toBe('c1m-load');
      expect(argv.join(' ')).not.toMatch(/\$\(/);
      const saved = { ...process.env };
      try {
        // parseOptions reads the slice's env from process.env, as the pod's process does.
        for (const name of Object.values(SHARD_ENV)) delete process.env[name];
        Object.assign(process.env, env);
        const options = parseOptions(argv.slice(1))!;
        expect(options.slice).toEqual({ index, count: completions, startAtMs: Date.parse(start) });
        expect(options.json).toBe('-');
        expect(options.connections).toBe(Number(env.C1M_CONNECTIONS));
      } finally {
        for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
        Object.assign(process.env, saved);
      }
    }
  });

  it('sets in pods only sysctls every kubelet allows, and raises the ephemeral port range', () => {
    for (const name of ['c1m-server', 'c1m-load']) {
      const object = findObject(name === 'c1m-server' ? 'Deployment' : 'Job', name);
      const sysctls = (podSpec(object).securityContext as { sysctls: Array<{ name: string; value: string }> }).sysctls;
      for (const s of sysctls) expect(SAFE_SYSCTLS.has(s.name), `${name}: ${s.name} is not a safe sysctl`).toBe(true);
      expect(sysctls.find((s) => s.name === 'net.ipv4.ip_local_port_range')?.value).toBe('1024 65535');
    }
    const tuning = findObject('DaemonSet', 'c1m-node-tuning');
    const init = (
      podSpec(tuning).initContainers as Array<{ securityContext: { privileged: boolean }; command: string[] }>
    )[0]!;
    expect(init.securityContext.privileged).toBe(true);
    expect(init.command.join(' ')).toContain('/proc/sys/fs/nr_open');
  });

  it("starts the server the Service reaches, from the image's bundles", () => {
    const deployment = findObject('Deployment', 'c1m-server');
    const [server] = podContainers(deployment);
    const argv = containerArgv(server!, containerEnv(server!, runConfig()));
    expect(argv.slice(0, 2)).toEqual(['node', `servers/${runConfig()['c1m-run'].C1M_SERVER}/dist/main.js`]);
    expect(existsSync(join(repoRoot, 'servers', runConfig()['c1m-run'].C1M_SERVER!, 'src', 'main.ts'))).toBe(true);
    const service = findObject('Service', 'c1m-server').spec as {
      clusterIP: string;
      selector: Record<string, string>;
      ports: Array<{ port: number }>;
    };
    expect(service.clusterIP).toBe('None');
    expect(service.selector).toEqual(
      (deployment.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
    );
    expect(runConfig()['c1m-run'].C1M_TARGET).toBe(`ws://c1m-server:${service.ports[0]!.port}/`);
  });

  it('expands $(VAR) as Kubernetes does', () => {
    expect(expandVars('$(A)-$(B)-$$(A)', { A: 'x' })).toBe('x-$(B)-$(A)');
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

  it('copies only paths that exist, and its entry scripts are executable', () => {
    const copies = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(copies.length).toBeGreaterThan(5);
    for (const path of copies) expect(existsSync(join(repoRoot, path)), path).toBe(true);
    for (const script of ['infra/docker/entrypoint.sh', 'infra/docker/c1m-load.sh']) {
      expect(() => accessSync(join(repoRoot, script), constants.X_OK), script).not.toThrow();
    }
  });

  it("runs the driver bundle the driver's build writes", () => {
    const wrapper = readFileSync(join(repoRoot, 'infra/docker/c1m-load.sh'), 'utf8');
    const driverPackage = JSON.parse(readFileSync(join(repoRoot, 'clients/driver/package.json'), 'utf8')) as {
      scripts: { build: string };
    };
    expect(wrapper).toContain('/c1m/clients/driver/dist/cli.js');
    expect(driverPackage.scripts.build).toContain('src/cli.ts');
  });
});
