/**
 * A throwaway PKI made at test time with the openssl command: a CA, server certificates (valid,
 * expired, for another host name), a self-signed one, and a client certificate with an encrypted key.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caPem: string;
  server: { cert: Buffer; key: Buffer };
  expired: { cert: Buffer; key: Buffer };
  otherHost: { cert: Buffer; key: Buffer };
  selfSigned: { cert: Buffer; key: Buffer };
  client: { cert: string; key: string; encryptedKey: string; passphrase: string };
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'wsprobe-pki-'));
  const req = (name: string, cn: string) =>
    openssl(dir, [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`,
    ]);
  const ext = (name: string, san: string) => writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  const sign = (name: string) =>
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ]);

  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=wsprobe test CA',
  ]);
  req('server', 'localhost');
  ext('server', 'DNS:localhost,IP:127.0.0.1');
  sign('server');
  req('other', 'other.test');
  ext('other', 'DNS:other.test');
  sign('other');
  req('client', 'wsprobe client');
  ext('client', 'DNS:client.test');
  sign('client');
  openssl(dir, ['pkey', '-in', 'client.key', '-out', 'client-enc.key', '-aes256', '-passout', 'pass:open sesame']);
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'self.key',
    '-out',
    'self.pem',
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  // An expired certificate: `openssl ca` can set dates in the past.
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db/index.txt'), '');
  writeFileSync(join(dir, 'db/serial'), '01\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca=t\n[t]\ndatabase=db/index.txt\nnew_certs_dir=db\nserial=db/serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n',
  );
  openssl(dir, [
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    'ca.pem',
    '-keyfile',
    'ca.key',
    '-in',
    'server.csr',
    '-out',
    'expired.pem',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
    '-extfile',
    'server.ext',
  ]);

  const read = (name: string) => readFileSync(join(dir, name));
  return {
    dir,
    caPem: join(dir, 'ca.pem'),
    server: { cert: read('server.pem'), key: read('server.key') },
    expired: { cert: read('expired.pem'), key: read('server.key') },
    otherHost: { cert: read('other.pem'), key: read('other.key') },
    selfSigned: { cert: read('self.pem'), key: read('self.key') },
    client: {
      cert: join(dir, 'client.pem'),
      key: join(dir, 'client.key'),
      encryptedKey: join(dir, 'client-enc.key'),
      passphrase: 'open sesame',
    },
  };
}
