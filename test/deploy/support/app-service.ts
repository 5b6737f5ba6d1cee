import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { PRODUCT_FOLDERS } from '../../../deploy/index.js';
import { loadConfig } from '../../../runtime/index.js';
import {
  commandOf,
  environmentOf,
  mountsOf,
  REPO_ROOT,
  type ComposeService,
  type Env,
} from './compose-file.js';
import { SERVICE_KINDS, type ServiceFacts, type ServiceKind } from './service-kinds.js';

/** The image's working directory: `COPY . .` puts the repo there. */
export const IMAGE_WORKDIR = '/app';
export const APP_IMAGE = 'village-telemetry';

const packageJson = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
};
export const PACKAGE_VERSION = packageJson.version;

export function isAppService(service: ComposeService): boolean {
  return service.build !== undefined || (service.image ?? '').startsWith(`${APP_IMAGE}:`);
}

export interface EntryPoint {
  entry: string;
  args: string[];
}

/**
 * The source entry a command runs: `node dist/<entry>.js …` (the build the image makes),
 * `node --import tsx <entry> …`, or `npm run <script> -- …` whose script is `tsx <entry>`.
 */
export function entryPointOf(service: ComposeService): EntryPoint | string {
  const command = commandOf(service);
  const built = command[0] === 'node' ? /^dist\/(.+)\.js$/.exec(command[1] ?? '') : null;
  if (built?.[1]) {
    const source = `${built[1]}.ts`;
    if (!PRODUCT_FOLDERS.some((folder) => source.startsWith(`${folder}/`)))
      return `${command[1]} is not built: ${source} lies outside the folders deploy/build.ts compiles`;
    return { entry: source, args: command.slice(2) };
  }
  if (command[0] === 'node' && command[1] === '--import' && command[2] === 'tsx' && command[3]) {
    return { entry: command[3], args: command.slice(4) };
  }
  if (command[0] === 'npm' && command[1] === 'run' && command[2]) {
    const script = packageJson.scripts[command[2]];
    if (script === undefined) return `npm script "${command[2]}" does not exist in package.json`;
    const match = /^tsx\s+(\S+)(.*)$/.exec(script);
    if (!match?.[1]) return `npm script "${command[2]}" is not "tsx <entry>": ${script}`;
    const extra = command[3] === '--' ? command.slice(4) : [];
    return { entry: match[1], args: [...(match[2] ?? '').split(/\s+/).filter(Boolean), ...extra] };
  }
  return `command ${JSON.stringify(command)} is none of "node dist/<entry>.js", "node --import tsx <entry>", "npm run <script>"`;
}

/** Where a container path comes from on this machine: a bind mount, the image's copy of the repo, or nowhere. */
export function hostPathOf(service: ComposeService, containerPath: string): string | undefined {
  if (containerPath.startsWith(REPO_ROOT)) return containerPath; // a default resolved in this process
  const absolute = isAbsolute(containerPath) ? containerPath : `${IMAGE_WORKDIR}/${containerPath}`;
  const binds = mountsOf(service)
    .filter((m) => m.kind === 'bind')
    .sort((a, b) => b.target.length - a.target.length);
  for (const bind of binds) {
    if (absolute === bind.target || absolute.startsWith(`${bind.target}/`)) {
      return resolve(REPO_ROOT, bind.source, relative(bind.target, absolute));
    }
  }
  if (absolute.startsWith(`${IMAGE_WORKDIR}/`)) return resolve(REPO_ROOT, relative(IMAGE_WORKDIR, absolute));
  return undefined;
}

export interface AppService {
  name: string;
  service: ComposeService;
  kind: ServiceKind;
  entry: EntryPoint;
  env: Env;
  /** The config file on this machine, when the command names one. */
  configFile?: string;
  /** The effective config, or why it does not load. */
  facts?: ServiceFacts;
  loadError?: string;
}

/** The app service with its effective config, loaded the way the container would load it. */
export function resolveAppService(name: string, service: ComposeService): AppService | string {
  const entry = entryPointOf(service);
  if (typeof entry === 'string') return entry;
  const kind = SERVICE_KINDS.find((k) => k.entry === entry.entry);
  if (!kind)
    return `entry ${entry.entry} is not a known service (add it to test/deploy/support/service-kinds.ts)`;
  const env = environmentOf(service);
  const containerFile = kind.configFile(entry.args);
  const configFile = containerFile === undefined ? undefined : hostPathOf(service, containerFile);
  const app: AppService = { name, service, kind, entry, env, ...(configFile ? { configFile } : {}) };
  if (containerFile !== undefined && (!configFile || !existsSync(configFile))) {
    return { ...app, loadError: `config file ${containerFile} is not mounted from a file of the repo` };
  }
  try {
    const config = loadConfig({ schema: kind.schema, envMap: kind.envMap, env, file: configFile });
    return { ...app, facts: kind.facts(config) };
  } catch (error) {
    return { ...app, loadError: (error as Error).message };
  }
}
