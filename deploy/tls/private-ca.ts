import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** The files `deploy/cli.ts certs` writes, by the names docker-compose.yml mounts. */
export const TLS_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
} as const;

export interface PrivateCaOptions {
  /** Folder of the four files; made when missing. */
  dir: string;
  /** Names and addresses the server is reached at (gateways, phones): each becomes a subjectAltName. */
  hosts: readonly string[];
  /** Server certificate lifetime; the CA lives four times as long. */
  serverDays?: number;
  /** Owner of the server key, so the broker (user `node`, uid 1000, in the image) can read it. */
  keyOwner?: { uid: number; gid: number };
}

export interface PrivateCaOutcome {
  /** False when an existing CA was kept: gateways that trust it keep trusting the new server certificate. */
  caCreated: boolean;
  files: Record<keyof typeof TLS_FILES, string>;
}

/** Five years: a village server runs unattended for years; renewing is one command (`certs` again). */
export const DEFAULT_SERVER_DAYS = 1826;

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * A private certificate authority for one deployment and a server certificate it signs,
 * made with the openssl command line (EC P-256). The CA is created once and kept: run
 * again with other hosts (or to renew), and only the server certificate is re-issued.
 * Gateways trust `ca.crt` (NODE_EXTRA_CA_CERTS), the broker and the reverse proxy serve
 * `server.crt` / `server.key`. `ca.key` never leaves this folder; keep it offline if you can.
 */
export function issuePrivateCa(options: PrivateCaOptions): PrivateCaOutcome {
  if (options.hosts.length === 0) throw new Error('name at least one host or address (--host)');
  const files = Object.fromEntries(
    Object.entries(TLS_FILES).map(([key, name]) => [key, join(options.dir, name)]),
  ) as PrivateCaOutcome['files'];
  mkdirSync(options.dir, { recursive: true, mode: 0o755 });
  const serverDays = options.serverDays ?? DEFAULT_SERVER_DAYS;
  const caCreated = !existsSync(files.caCert) || !existsSync(files.caKey);
  if (caCreated) {
    openssl([
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      files.caKey,
      '-out',
      files.caCert,
      '-days',
      String(serverDays * 4),
      '-subj',
      '/O=village-telemetry/CN=village-telemetry private CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    chmodSync(files.caKey, 0o600);
  }
  const work = mkdtempSync(join(options.dir, '.issue-'));
  try {
    const csr = join(work, 'server.csr');
    const key = join(work, 'server.key');
    const extensions = join(work, 'server.ext');
    writeFileSync(
      extensions,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${options.hosts.map(subjectAltName).join(',')}`,
      ].join('\n') + '\n',
    );
    openssl(['req', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', `/CN=${options.hosts[0]}`]);
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      files.caCert,
      '-CAkey',
      files.caKey,
      '-CAcreateserial',
      '-days',
      String(serverDays),
      '-extfile',
      extensions,
      '-out',
      join(work, 'server.crt'),
    ]);
    // The chain a client needs besides its trust anchor: the leaf, then the CA.
    writeFileSync(
      files.serverCert,
      readFileSync(join(work, 'server.crt'), 'utf8') + readFileSync(files.caCert, 'utf8'),
      { mode: 0o644 },
    );
    writeFileSync(files.serverKey, readFileSync(key), { mode: 0o600 });
    chmodSync(files.serverKey, 0o600);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (options.keyOwner) {
    execFileSync('chown', [`${options.keyOwner.uid}:${options.keyOwner.gid}`, files.serverKey]);
  }
  return { caCreated, files };
}

function subjectAltName(host: string): string {
  return isIP(host) ? `IP:${host}` : `DNS:${host}`;
}

function openssl(args: readonly string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'openssl is not installed (apt-get install openssl) / 未安装 openssl'
        : `openssl ${args[0]} failed: ${stderr ?? String(error)}`,
    );
  }
}
