import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configPathsIn, requiredPaths } from './required-paths.js';
import {
  dependenciesOf,
  environmentOf,
  healthcheckCommand,
  mountsOf,
  portsOf,
  REPO_ROOT,
  type ComposeFile,
  type ComposeService,
} from './compose-file.js';
import {
  APP_IMAGE,
  hostPathOf,
  isAppService,
  PACKAGE_VERSION,
  resolveAppService,
  type AppService,
} from './app-service.js';
import { dockerignorePatterns, gitignorePatterns, isIgnored } from './dockerignore.js';
import { caddySites } from './caddyfile.js';
import {
  CADDYFILE_TARGET,
  EXTERNAL_LISTENERS,
  GENERAL_VARIABLES,
  PROXY_IMAGE,
  type Listener,
} from './service-kinds.js';

export type Violation = string;
type Rule = (compose: ComposeFile, apps: readonly AppService[]) => Violation[];

const LONG_RUNNING = (service: ComposeService) => service.restart !== 'no';
const NETWORK_HOSTS = new Set(['0.0.0.0', '::']);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);

function imageName(service: ComposeService): string {
  return (service.image ?? '').replace(/:[^/:]+$/, '');
}

/** The Caddyfile a proxy service runs, on this machine. */
function caddyfileOf(service: ComposeService): string | undefined {
  const file = hostPathOf(service, CADDYFILE_TARGET);
  return file && existsSync(file) ? file : undefined;
}

/** What a service listens on inside its container; undefined when its config does not load. */
function listenersOf(
  compose: ComposeFile,
  apps: readonly AppService[],
  name: string,
): Listener[] | undefined {
  const app = apps.find((a) => a.name === name);
  if (app) return app.facts?.listeners;
  const service = compose.services[name];
  if (!service) return undefined;
  if (imageName(service) === PROXY_IMAGE) {
    const file = caddyfileOf(service);
    return (file ? caddySites(file) : []).map((site) => ({
      what: `site ${site.address}`,
      host: '0.0.0.0',
      port: site.port,
      tls: site.tls,
    }));
  }
  return (EXTERNAL_LISTENERS[imageName(service)] ?? []).map((port) => ({
    what: `port ${port}`,
    host: '0.0.0.0',
    port,
  }));
}

/** Ports a service listens on inside its container. */
function listenPorts(compose: ComposeFile, apps: readonly AppService[], name: string): number[] | undefined {
  return listenersOf(compose, apps, name)?.map((l) => l.port);
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/;

const entryFiles: Rule = (_compose, apps) =>
  apps.flatMap((app) => {
    const patterns = dockerignorePatterns();
    if (!existsSync(resolve(REPO_ROOT, app.entry.entry)))
      return [`${app.name}: ${app.entry.entry} does not exist`];
    return isIgnored(app.entry.entry, patterns)
      ? [`${app.name}: .dockerignore leaves ${app.entry.entry} out`]
      : [];
  });

const environmentNames: Rule = (_compose, apps) =>
  apps.flatMap((app) =>
    Object.keys(app.env)
      .filter((name) => !(name in app.kind.envMap) && !GENERAL_VARIABLES.includes(name))
      .map((name) => `${app.name}: ${name} is not read by ${app.kind.entry} (not in its env map)`),
  );

const requiredSettings: Rule = (_compose, apps) =>
  apps.flatMap((app) => {
    const fromEnv = Object.entries(app.env)
      .filter(([name, value]) => value !== '' && name in app.kind.envMap)
      .map(([name]) => app.kind.envMap[name] as string);
    const fromFile = app.configFile ? configPathsIn(app.configFile) : [];
    const given = [...fromEnv, ...fromFile];
    return requiredPaths(app.kind.schema)
      .filter(
        (path) => !given.some((g) => g === path || g.startsWith(`${path}.`) || path.startsWith(`${g}.`)),
      )
      .map(
        (path) =>
          `${app.name}: required setting "${path}" is given neither by a variable nor by a config file`,
      );
  });

const configLoads: Rule = (_compose, apps) =>
  apps.filter((app) => app.loadError).map((app) => `${app.name}: config does not load: ${app.loadError}`);

const listenersFaceNetwork: Rule = (compose, apps) =>
  apps.flatMap((app) =>
    (app.facts?.listeners ?? [])
      .filter((l) => !NETWORK_HOSTS.has(l.host))
      .map((l) => `${app.name}: ${l.what} listens on ${l.host}, unreachable from other containers`),
  );

const publishedPorts: Rule = (compose, apps) =>
  Object.entries(compose.services).flatMap(([name, service]) => {
    const listening = listenPorts(compose, apps, name);
    if (!listening) return []; // its config does not load: config-loads says so
    return portsOf(service)
      .filter((p) => !listening.includes(p.container))
      .map((p) => `${name}: publishes container port ${p.container}, but listens on ${listening.join(', ')}`);
  });

const targetsResolve: Rule = (compose, apps) => {
  const grafana = Object.entries(compose.services)
    .filter(([, s]) => imageName(s) === 'grafana/grafana')
    .map(([name, s]) => ({
      name,
      targets: [{ what: 'INFLUX_URL', url: environmentOf(s).INFLUX_URL ?? '' }],
    }));
  const proxies = Object.entries(compose.services)
    .filter(([, s]) => imageName(s) === PROXY_IMAGE)
    .map(([name, s]) => {
      const file = caddyfileOf(s);
      return {
        name,
        targets: (file ? caddySites(file) : []).flatMap((site) =>
          site.upstreams.map((upstream) => ({ what: `site ${site.address}`, url: `http://${upstream}` })),
        ),
      };
    });
  const all = [
    ...apps.map((a) => ({ name: a.name, targets: a.facts?.targets ?? [] })),
    ...grafana,
    ...proxies,
  ];
  return all.flatMap(({ name, targets }) =>
    targets.flatMap(({ what, url }) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return [`${name}: ${what} "${url}" is not a URL`];
      }
      const port = Number(parsed.port);
      if (!compose.services[parsed.hostname]) {
        return [`${name}: ${what} points at "${parsed.hostname}", which is no service`];
      }
      const listening = listenPorts(compose, apps, parsed.hostname);
      if (!listening) return [];
      return listening.includes(port)
        ? []
        : [`${name}: ${what} uses port ${port}, but ${parsed.hostname} listens on ${listening.join(', ')}`];
    }),
  );
};

const healthchecks: Rule = (compose, apps) =>
  Object.entries(compose.services).flatMap(([name, service]) => {
    if (!LONG_RUNNING(service)) return [];
    const command = healthcheckCommand(service);
    if (!command) return [`${name}: a long-running service without a healthcheck`];
    const app = apps.find((a) => a.name === name);
    if (!app?.facts) return [];
    const match = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)\/(healthz|readyz)\b/.exec(command);
    if (!match) return [`${name}: the healthcheck does not ask /healthz or /readyz on 127.0.0.1`];
    return Number(match[1]) === app.facts.httpPort
      ? []
      : [
          `${name}: the healthcheck asks port ${match[1]}, but the service's HTTP port is ${app.facts.httpPort}`,
        ];
  });

const dependencies: Rule = (compose) =>
  Object.entries(compose.services).flatMap(([name, service]) =>
    Object.entries(dependenciesOf(service)).flatMap(([target, condition]) => {
      const other = compose.services[target];
      if (!other) return [`${name}: depends on "${target}", which is no service`];
      if (!CONDITIONS.has(condition)) return [`${name}: unknown depends_on condition ${condition}`];
      if (condition === 'service_healthy' && !healthcheckCommand(other)) {
        return [`${name}: waits for ${target} to be healthy, but ${target} has no healthcheck`];
      }
      if (condition === 'service_completed_successfully' && LONG_RUNNING(other)) {
        return [`${name}: waits for ${target} to complete, but ${target} restarts`];
      }
      return [];
    }),
  );

const volumes: Rule = (compose) => {
  const declared = new Set(Object.keys(compose.volumes ?? {}));
  const used = new Set<string>();
  const violations = Object.entries(compose.services).flatMap(([name, service]) =>
    mountsOf(service).flatMap((mount) => {
      if (mount.kind === 'volume') {
        used.add(mount.source);
        return declared.has(mount.source) ? [] : [`${name}: volume "${mount.source}" is not declared`];
      }
      if (existsSync(resolve(REPO_ROOT, mount.source))) return [];
      // The operator's own folders (certificates, backups) are made on the server and kept out of git.
      return isIgnored(mount.source.replace(/^\.\//, ''), gitignorePatterns())
        ? []
        : [
            `${name}: bind-mounted ${mount.source} does not exist in the repo (nor is it an operator folder .gitignore names)`,
          ];
    }),
  );
  return [
    ...violations,
    ...[...declared].filter((v) => !used.has(v)).map((v) => `volume "${v}" is never used`),
  ];
};

const images: Rule = (compose) =>
  Object.entries(compose.services).flatMap(([name, service]) => {
    const image = service.image ?? '';
    const tag = /:([^/:]+)$/.exec(image)?.[1];
    if (!image) return [`${name}: no image name (the built image needs a tag too)`];
    if (!tag || tag === 'latest') return [`${name}: image ${image} is not pinned to a version tag`];
    if (imageName(service) === APP_IMAGE && tag !== PACKAGE_VERSION) {
      return [`${name}: image ${image} should carry package.json's version ${PACKAGE_VERSION}`];
    }
    return [];
  });

const filesRead: Rule = (_compose, apps) =>
  apps.flatMap((app) =>
    (app.facts?.files ?? []).flatMap((file) => {
      const host = hostPathOf(app.service, file);
      if (!host || !existsSync(host))
        return [`${app.name}: reads ${file}, which is not in the image or mounted`];
      const repoPath = host.slice(REPO_ROOT.length + 1);
      const mounted = mountsOf(app.service).some((m) => m.kind === 'bind' && file.startsWith(m.target));
      return !mounted && isIgnored(repoPath, dockerignorePatterns())
        ? [`${app.name}: reads ${file}, which .dockerignore leaves out of the image`]
        : [];
    }),
  );

const grafanaProvisioning: Rule = (compose) =>
  Object.entries(compose.services)
    .filter(([, s]) => imageName(s) === 'grafana/grafana')
    .flatMap(([name, service]) => {
      const violations: Violation[] = [];
      const provisioning = hostPathOf(service, '/etc/grafana/provisioning');
      if (!provisioning || !existsSync(resolve(provisioning, 'datasources'))) {
        violations.push(`${name}: /etc/grafana/provisioning is not mounted from the generated provisioning`);
        return violations;
      }
      const provider = parseYaml(readFileSync(resolve(provisioning, 'dashboards/village.yaml'), 'utf8')) as {
        providers: Array<{ options: { path: string } }>;
      };
      for (const { options } of provider.providers) {
        const dashboards = hostPathOf(service, options.path);
        if (!dashboards || !existsSync(resolve(dashboards, 'zh'))) {
          violations.push(`${name}: the dashboard provider reads ${options.path}, which is not mounted`);
        }
      }
      const datasource = readFileSync(resolve(provisioning, 'datasources/influxdb.yaml'), 'utf8');
      const env = environmentOf(service);
      for (const [, variable] of datasource.matchAll(/\$\{([A-Z0-9_]+)\}/g)) {
        if (!env[variable as string])
          violations.push(`${name}: the datasource needs ${variable}, which is not set`);
      }
      const home = env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
      const homeFile = home ? hostPathOf(service, home) : undefined;
      if (home && (!homeFile || !existsSync(homeFile)))
        violations.push(`${name}: home dashboard ${home} is missing`);
      return violations;
    });

/** Every port published beyond loopback speaks TLS: plain text stays on the compose network or 127.0.0.1. */
const plaintextStaysLocal: Rule = (compose, apps) =>
  Object.entries(compose.services).flatMap(([name, service]) => {
    const listeners = listenersOf(compose, apps, name);
    if (!listeners) return [];
    return portsOf(service)
      .filter((p) => !LOOPBACK.test(p.hostIp))
      .flatMap((p) => {
        const listener = listeners.find((l) => l.port === p.container);
        if (!listener || listener.tls) return [];
        return [
          `${name}: ${listener.what} (container port ${p.container}) is plain text, published on ${p.hostIp || 'every interface'}`,
        ];
      });
  });

/** Every container's log is rotated: Docker's json-file driver keeps every line forever unless told. */
const logRotation: Rule = (compose) =>
  Object.entries(compose.services).flatMap(([name, service]) => {
    const { driver, options = {} } = service.logging ?? {};
    if (driver === 'local') return [];
    if (driver !== 'json-file')
      return [`${name}: no logging driver with rotation (json-file with max-size and max-file)`];
    const missing = ['max-size', 'max-file'].filter((option) => !String(options[option] ?? ''));
    return missing.length
      ? [`${name}: its json-file log has no ${missing.join(' or ')}: it grows without bound`]
      : [];
  });

/** A service started by default never waits for one that only a profile starts. */
const profiles: Rule = (compose) =>
  Object.entries(compose.services)
    .filter(([, service]) => !service.profiles?.length)
    .flatMap(([name, service]) =>
      Object.keys(dependenciesOf(service))
        .filter((target) => compose.services[target]?.profiles?.length)
        .map((target) => `${name}: starts by default but depends on ${target}, which only a profile starts`),
    );

export const RULES = {
  'entry-files': entryFiles,
  'environment-names': environmentNames,
  'required-settings': requiredSettings,
  'config-loads': configLoads,
  'listeners-face-network': listenersFaceNetwork,
  'published-ports': publishedPorts,
  'targets-resolve': targetsResolve,
  healthchecks,
  dependencies,
  volumes,
  images,
  'files-read': filesRead,
  'grafana-provisioning': grafanaProvisioning,
  'plaintext-stays-local': plaintextStaysLocal,
  'log-rotation': logRotation,
  profiles,
} satisfies Record<string, Rule>;

export type RuleName = keyof typeof RULES;

export function appServices(compose: ComposeFile): { apps: AppService[]; violations: Violation[] } {
  const apps: AppService[] = [];
  const violations: Violation[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    if (!isAppService(service)) continue;
    const resolved = resolveAppService(name, service);
    if (typeof resolved === 'string') violations.push(`[entry-files] ${name}: ${resolved}`);
    else apps.push(resolved);
  }
  return { apps, violations };
}

/** Every violation of every rule, each prefixed with its rule's name: `[volumes] edge: …`. */
export function checkCompose(compose: ComposeFile): Violation[] {
  const { apps, violations } = appServices(compose);
  return [
    ...violations,
    ...Object.entries(RULES).flatMap(([rule, check]) => check(compose, apps).map((v) => `[${rule}] ${v}`)),
  ];
}
