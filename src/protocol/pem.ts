/**
 * Whether a TLS file the user named holds what its option wants: `--ca` and `--cert` PEM certificates,
 * `--key` a PEM private key. Pure: it reads the file's text, and says what is wrong in words (the
 * caller names the option and the file). Node would otherwise accept a CA file with no certificate in
 * it silently, and fail on a wrong key with OpenSSL's words.
 */

export type PemWanted = 'certificate' | 'private key';

const CERTIFICATE_LABELS: ReadonlySet<string> = new Set(['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE']);

function isKeyLabel(label: string): boolean {
  return /(^|\s)PRIVATE KEY$/.test(label);
}

/** The labels of the PEM blocks in `data` (`CERTIFICATE`, `PRIVATE KEY`, …), in order. */
export function pemLabels(data: Buffer | string): string[] {
  const text = typeof data === 'string' ? data : data.toString('latin1');
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]);
}

function described(label: string): string {
  if (CERTIFICATE_LABELS.has(label)) return 'a certificate';
  if (isKeyLabel(label)) return 'a private key';
  if (label.endsWith('PUBLIC KEY')) return 'a public key';
  if (label.includes('REQUEST')) return 'a certificate request';
  return `a PEM "${label}" block`;
}

/** What is wrong with `data` for an option that wants `wanted`; undefined when it holds one. */
export function pemProblem(data: Buffer | string, wanted: PemWanted): string | undefined {
  const labels = pemLabels(data);
  const found = wanted === 'certificate' ? labels.some((l) => CERTIFICATE_LABELS.has(l)) : labels.some(isKeyLabel);
  if (found) return undefined;
  const header = wanted === 'certificate' ? '-----BEGIN CERTIFICATE-----' : '-----BEGIN PRIVATE KEY-----';
  if (labels.length === 0) {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    // DER starts with a SEQUENCE (0x30): the same thing in binary form.
    const der = bytes.length > 0 && bytes[0] === 0x30;
    return der
      ? `no PEM ${wanted} in it (it looks like binary DER; convert it with openssl ${wanted === 'certificate' ? 'x509' : 'pkey'} -inform der)`
      : `no PEM ${wanted} in it (no "${header}" line)`;
  }
  return `no PEM ${wanted} in it (it holds ${described(labels[0])})`;
}
