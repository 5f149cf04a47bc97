/** --ca, --cert and --key hold what their option wants: PEM certificates, a PEM private key. */
import { describe, expect, it } from 'vitest';
import { pemLabels, pemProblem } from '../../src/protocol/pem.js';

const block = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;

describe('pemProblem', () => {
  it.each([
    ['a certificate', block('CERTIFICATE'), 'certificate'],
    ['a bundle with comments', `# my CA\n${block('CERTIFICATE')}${block('CERTIFICATE')}`, 'certificate'],
    ['a trusted certificate', block('TRUSTED CERTIFICATE'), 'certificate'],
    ['a PKCS#8 key', block('PRIVATE KEY'), 'private key'],
    ['an RSA key', block('RSA PRIVATE KEY'), 'private key'],
    ['an EC key', block('EC PRIVATE KEY'), 'private key'],
    ['an encrypted key', block('ENCRYPTED PRIVATE KEY'), 'private key'],
    ['a key and its certificate in one file', block('CERTIFICATE') + block('PRIVATE KEY'), 'private key'],
  ] as const)('accepts %s', (_name, text, wanted) => {
    expect(pemProblem(Buffer.from(text), wanted)).toBeUndefined();
  });

  it.each([
    ['an empty file', '', 'certificate', 'no PEM certificate in it (no "-----BEGIN CERTIFICATE-----" line)'],
    ['text', 'hello\n', 'certificate', 'no PEM certificate in it (no "-----BEGIN CERTIFICATE-----" line)'],
    ['a key given as CA', block('PRIVATE KEY'), 'certificate', 'no PEM certificate in it (it holds a private key)'],
    [
      'a certificate given as key',
      block('CERTIFICATE'),
      'private key',
      'no PEM private key in it (it holds a certificate)',
    ],
    ['a public key', block('PUBLIC KEY'), 'private key', 'no PEM private key in it (it holds a public key)'],
    ['a CSR', block('CERTIFICATE REQUEST'), 'certificate', 'no PEM certificate in it (it holds a certificate request)'],
  ] as const)('refuses %s', (_name, text, wanted, problem) => {
    expect(pemProblem(Buffer.from(text), wanted)).toBe(problem);
  });

  it('says a binary file looks like DER and how to convert it', () => {
    expect(pemProblem(Buffer.from([0x30, 0x82, 0x01, 0x0a]), 'certificate')).toBe(
      'no PEM certificate in it (it looks like binary DER; convert it with openssl x509 -inform der)',
    );
  });

  it('lists the labels in order', () => {
    expect(pemLabels(block('CERTIFICATE') + block('EC PRIVATE KEY'))).toEqual(['CERTIFICATE', 'EC PRIVATE KEY']);
  });
});
