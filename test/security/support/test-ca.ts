import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PemPair {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

export interface TestCa {
  dir: string;
  caFile: string;
  ca: Buffer;
  /** A certificate for `localhost` and 127.0.0.1, for the broker's or a service's listener. */
  server(name: string): PemPair;
  /** A client certificate with this CN (and optionally DNS subjectAltNames). */
  client(commonName: string, dnsNames?: readonly string[]): PemPair;
  remove(): void;
}

/** Flags for a new unencrypted EC P-256 key. */
const NEW_EC_KEY = { '-newkey': 'ec', '-pkeyopt': 'ec_paramgen_curve:prime256v1' };

/**
 * A throw-away certificate authority made with the openssl command line in a temp
 * dir: EC P-256 keys, one-day certificates. Each call of `server`/`client` signs a
 * new leaf; `remove()` deletes everything.
 */
export function createTestCa(label = 'test'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), `test-ca-${label}-`));
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  openssl(['req', '-x509', '-nodes'], {
    ...NEW_EC_KEY,
    '-keyout': caKey,
    '-out': caFile,
    '-days': '1',
    '-subj': `/CN=${label} village test CA`,
    '-addext': ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'],
  });
  let serial = 0;

  const leaf = (name: string, extensions: readonly string[]): PemPair => {
    serial += 1;
    const base = join(dir, `${serial}-${name}`);
    const keyFile = `${base}.key`;
    const certFile = `${base}.crt`;
    writeFileSync(`${base}.ext`, `${extensions.join('\n')}\n`);
    openssl(['req', '-nodes'], {
      ...NEW_EC_KEY,
      '-keyout': keyFile,
      '-out': `${base}.csr`,
      '-subj': `/CN=${name}`,
    });
    openssl(['x509', '-req'], {
      '-in': `${base}.csr`,
      '-CA': caFile,
      '-CAkey': caKey,
      '-set_serial': String(1000 + serial),
      '-days': '1',
      '-out': certFile,
      '-extfile': `${base}.ext`,
    });
    return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
  };
  const leafBasics = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature'];

  return {
    dir,
    caFile,
    ca: readFileSync(caFile),
    server: (name) =>
      leaf(name, [...leafBasics, 'extendedKeyUsage=serverAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1']),
    client: (commonName, dnsNames = []) =>
      leaf(commonName, [
        ...leafBasics,
        'extendedKeyUsage=clientAuth',
        ...(dnsNames.length > 0 ? [`subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}`] : []),
      ]),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs openssl with a subcommand and flags; a flag with a list of values is repeated. */
function openssl(command: readonly string[], flags: Record<string, string | readonly string[]>): void {
  const args = [...command];
  for (const [flag, value] of Object.entries(flags)) {
    for (const one of typeof value === 'string' ? [value] : value) args.push(flag, one);
  }
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
