import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsMaterial } from '../../lib/tls';

export interface CertPair {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  caPath: string;
  server: CertPair;
  /** Client certificates signed by the CA, by common name. */
  client(cn: string, san?: string): CertPair;
  /** A client certificate from a different CA that merely claims the same name. */
  foreignClient(cn: string): CertPair;
  /** Files read as the A2A client needs them (trusting the CA). */
  material(pair: CertPair): TlsMaterial;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A throwaway CA, a server certificate for localhost/127.0.0.1, and client certificates on demand (openssl). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pki-'));
  const newCa = (name: string) => {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
    return name;
  };
  const sign = (ca: string, name: string, cn: string, ext: string): CertPair => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
    return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  };
  const ca = newCa('vigil-test-ca');
  const other = newCa('other-ca');
  const server = sign(ca, 'server', 'vigil-agent', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  let n = 0;
  const clientExt = (san?: string) => `extendedKeyUsage=clientAuth\n${san ? `subjectAltName=${san}\n` : ''}`;
  return {
    dir,
    caPath: join(dir, `${ca}.crt`),
    server,
    client: (cn, san) => sign(ca, `client-${(n += 1)}`, cn, clientExt(san)),
    foreignClient: (cn) => sign(other, `foreign-${(n += 1)}`, cn, clientExt()),
    material: (pair) => ({ ca: readFileSync(join(dir, `${ca}.crt`)), cert: readFileSync(pair.cert), key: readFileSync(pair.key) }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
