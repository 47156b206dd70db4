// The pods of infra/k8s as bench:hosts starts them on simulated hosts: the container's args and
// env taken from the manifests (the run's values put into the generated ConfigMap, as run.sh
// does; C1M_SHARD_COUNT set to the Job's completions), the image's entrypoint script, and the
// image's paths mapped onto this checkout (WORKDIR /c1m is the repository root here).
import { join } from 'node:path';
import { SHARD_ENV } from '@c1m/driver';
import { repoRoot } from '../lib/paths.ts';
import {
  containerArgv,
  containerEnv,
  findObject,
  generatedConfigMap,
  podContainers,
  type K8sObject,
} from '../k8s/manifests.ts';

/** A process as a pod would run it. */
export interface PodCommand {
  argv: string[];
  env: Record<string, string>;
  /** The pod's securityContext sysctls, to be set in its network namespace first. */
  sysctls: Array<{ name: string; value: string }>;
}

/** The image's entrypoint (raises the open-file soft limit to the hard one, then execs). */
const ENTRYPOINT = join(repoRoot, 'infra', 'docker', 'entrypoint.sh');
/** What the image's /usr/local/bin/c1m-load runs. */
const C1M_LOAD = [process.execPath, join(repoRoot, 'clients', 'driver', 'dist', 'cli.js')];

function podSysctls(object: K8sObject): Array<{ name: string; value: string }> {
  const spec = (
    object.spec as { template: { spec: { securityContext?: { sysctls?: Array<{ name: string; value: string }> } } } }
  ).template.spec;
  return spec.securityContext?.sysctls ?? [];
}

/** The image's command names on this machine: `c1m-load` and `node` as the image has them. */
function onThisMachine(argv: string[]): string[] {
  if (argv[0] === 'c1m-load') return [ENTRYPOINT, ...C1M_LOAD, ...argv.slice(1)];
  if (argv[0] === 'node') return [ENTRYPOINT, process.execPath, ...argv.slice(1)];
  return [ENTRYPOINT, ...argv];
}

/** A pod's minimal environment besides its container env: what a container runtime provides. */
function baseEnv(hostname: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOSTNAME: hostname, HOME: '/root' };
}

/** The c1m-run ConfigMap with the run's values (what run.sh and an edited run.env would give). */
export function runConfigMap(values: Record<string, string>): Record<string, Record<string, string>> {
  return { 'c1m-run': { ...generatedConfigMap('c1m-run'), ...values } };
}

/** The server Deployment's pod. */
export function serverPod(configMaps: Record<string, Record<string, string>>, hostname: string): PodCommand {
  const deployment = findObject('Deployment', 'c1m-server');
  const [container] = podContainers(deployment);
  const env = { ...baseEnv(hostname), ...containerEnv(container!, configMaps) };
  return { argv: onThisMachine(containerArgv(container!, env)), env, sysctls: podSysctls(deployment) };
}

/** Pod `index` of the load Job, the Job having `completions` pods. */
export function loadPod(
  configMaps: Record<string, Record<string, string>>,
  index: number,
  completions: number,
  hostname: string,
): PodCommand {
  const job = findObject('Job', 'c1m-load');
  const [container] = podContainers(job);
  // The Job's C1M_SHARD_COUNT must equal its completions (the manifest test checks the shipped
  // pair); a run with another host count changes both, as a user editing the Job would.
  const withCount = {
    ...container!,
    env: (container!.env ?? []).map((v) => (v.name === SHARD_ENV.count ? { ...v, value: String(completions) } : v)),
  };
  // Kubernetes adds JOB_COMPLETION_INDEX to every pod of an Indexed Job.
  const env = { ...baseEnv(hostname), ...containerEnv(withCount, configMaps, { [SHARD_ENV.index]: String(index) }) };
  return { argv: onThisMachine(containerArgv(withCount, env)), env, sysctls: podSysctls(job) };
}
