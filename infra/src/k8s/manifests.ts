// Reads infra/k8s as Kubernetes would use it: the kustomize base's resources, the ConfigMap its
// generator makes from the env files, and a container's command line with $(VAR) expanded from
// its env. The manifest tests check these, and bench:hosts starts every simulated pod from them,
// so a host in the simulation runs exactly the command and env a pod of the Job would.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../lib/paths.ts';

/** The kustomize base. */
export const K8S_DIR = join(repoRoot, 'infra', 'k8s');

/** A Kubernetes object as parsed (validated separately, against the API's schemas). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** The parts of kustomization.yaml this project uses. */
export interface Kustomization {
  namespace?: string;
  resources: string[];
  configMapGenerator?: Array<{ name: string; envs?: string[] }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
}

interface EnvVar {
  name: string;
  value?: string;
}

/** A container as the manifests use it. */
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string } }>;
}

/** kustomization.yaml of `dir`. */
export function readKustomization(dir = K8S_DIR): Kustomization {
  return parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as Kustomization;
}

/** Every object of the base's resources, in file order. */
export function readResources(dir = K8S_DIR): Array<{ file: string; object: K8sObject }> {
  return readKustomization(dir).resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return { file, object: doc.toJS() as K8sObject };
    }),
  );
}

/** KEY=VALUE lines of an env file, as kustomize's configMapGenerator reads them (later files win). */
export function readEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new Error(`${path}: "${trimmed}" is not KEY=VALUE`);
    out[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return out;
}

/** The data of the generated ConfigMap `name`. */
export function generatedConfigMap(name: string, dir = K8S_DIR): Record<string, string> {
  const generator = readKustomization(dir).configMapGenerator?.find((g) => g.name === name);
  if (!generator) throw new Error(`kustomization.yaml generates no ConfigMap ${name}`);
  return Object.assign({}, ...(generator.envs ?? []).map((file) => readEnvFile(join(dir, file)))) as Record<
    string,
    string
  >;
}

/** The one object of `kind` named `name` among the base's resources. */
export function findObject(kind: string, name: string, dir = K8S_DIR): K8sObject {
  const found = readResources(dir).filter(({ object }) => object.kind === kind && object.metadata.name === name);
  if (found.length !== 1) throw new Error(`infra/k8s has ${found.length} ${kind} named ${name}`);
  return found[0]!.object;
}

/** The pod template's containers of a Deployment, Job or DaemonSet. */
export function podContainers(object: K8sObject): Container[] {
  const template = (object.spec as { template: { spec: { containers: Container[] } } }).template;
  return template.spec.containers;
}

/**
 * A container's environment as its process sees it: envFrom ConfigMaps (from `configMaps`),
 * then env entries (which win), then `extra` (what Kubernetes adds, e.g. JOB_COMPLETION_INDEX).
 */
export function containerEnv(
  container: Container,
  configMaps: Record<string, Record<string, string>>,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name;
    if (name === undefined) continue;
    const data = configMaps[name];
    if (!data) throw new Error(`container ${container.name}: no ConfigMap ${name}`);
    Object.assign(env, data);
  }
  for (const v of container.env ?? []) env[v.name] = expandVars(v.value ?? '', env);
  return { ...env, ...extra };
}

/** Kubernetes' $(VAR) expansion of command and args: $$ escapes, an unknown $(VAR) stays as written. */
export function expandVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name?: string) =>
    match === '$$' ? '$' : (env[name!] ?? match),
  );
}

/** The container's command line (command + args, expanded) under `env`. */
export function containerArgv(container: Container, env: Record<string, string>): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])].map((arg) => expandVars(arg, env));
}
