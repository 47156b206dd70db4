// The key and certificate of --tls (protocol README 1.4): read from --tls-cert/--tls-key, or a
// self-signed certificate for localhost and 127.0.0.1 generated when the server starts (a fresh
// RSA-2048 key each start; nothing is stored). Generated once in the main process and handed to
// every thread and child with the options, so all of a server's loops present the same one.
import { readFileSync } from 'node:fs';
import { UsageError } from '@c1m/cli';
import type { ServerOptions } from './options.ts';

/** PEM key and certificate, and where they came from. */
export interface TlsMaterial {
  key: string;
  cert: string;
  source: 'generated self-signed' | 'files';
}

/** Days a generated certificate is valid: longer than any run, short enough to never matter. */
const GENERATED_DAYS = 2;

/** Generates a self-signed certificate for localhost / 127.0.0.1 / ::1. */
export async function generateSelfSigned(): Promise<TlsMaterial> {
  // Loaded only with --tls: the X.509 library is not worth its start-up for plain servers.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + GENERATED_DAYS * 86_400_000),
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert, source: 'generated self-signed' };
}

/** The options with their TLS material attached (unchanged without --tls). */
export async function withTlsMaterial(options: ServerOptions): Promise<ServerOptions> {
  if (!options.tls) return options;
  const { tlsCertFile, tlsKeyFile } = options;
  if (Boolean(tlsCertFile) !== Boolean(tlsKeyFile)) throw new UsageError('--tls-cert and --tls-key go together');
  const material: TlsMaterial = tlsCertFile
    ? { cert: readFileSync(tlsCertFile, 'utf8'), key: readFileSync(tlsKeyFile!, 'utf8'), source: 'files' }
    : await generateSelfSigned();
  return { ...options, tlsMaterial: material };
}
