// Creates the uWS app of a listener: plain, or an SSLApp when the options carry TLS material. uWS
// reads its key and certificate from files only, so they are written to a private temporary
// directory for the moment of construction and removed at once. A build without SSL fails here
// with C1M_TLS_UNSUPPORTED instead of serving plain text to a client that asked for TLS.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { C1mError } from '@c1m/protocol';
import { loadUws, type Uws } from '@c1m/uws';
import type { TlsMaterial } from '@c1m/server-contract';

/** A new uWS app, TLS when `tls` is given. Throws C1M_TLS_UNSUPPORTED when the build cannot. */
export function createUwsApp(tls?: TlsMaterial): ReturnType<Uws['App']> {
  const build = loadUws();
  if (!tls) return build.uws.App();
  const dir = mkdtempSync(join(tmpdir(), 'c1m-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    writeFileSync(key, tls.key, { mode: 0o600 });
    writeFileSync(cert, tls.cert, { mode: 0o600 });
    return build.uws.SSLApp({ key_file_name: key, cert_file_name: cert });
  } catch (err) {
    throw new C1mError(
      'C1M_TLS_UNSUPPORTED',
      `${build.packageName} ${build.version} cannot create an SSL app (${(err as Error).message}): this build ` +
        `has no usable TLS`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
