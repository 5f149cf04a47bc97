/**
 * The client's diagnostics as the three renderers show them: the TLS lines of -v, the -w hint, a
 * followed redirect, and a lost connection's close that its error line already told.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { type Rendered, render, type SessionEvent } from '../../src/output/events.js';
import { createJsonRenderer } from '../../src/output/json.js';
import { createPipeRenderer, type PipeOptions } from '../../src/output/pipe.js';
import { createPrettyRenderer, type PrettyOptions } from '../../src/output/pretty.js';
import * as f from './fixtures.js';

const PIPE: PipeOptions = {
  quiet: false,
  verbose: 0,
  showPingPong: false,
  showSecrets: false,
  binaryOutput: 'raw',
  separator: '\n',
};
const PRETTY: PrettyOptions = {
  chalk: new Chalk({ level: 0 }),
  verbose: 0,
  showPingPong: false,
  timestamps: false,
  maxDisplay: 64,
  showSecrets: false,
  quiet: false,
};

const pipe = (e: SessionEvent, o: Partial<PipeOptions> = {}): Rendered | null =>
  render(createPipeRenderer({ ...PIPE, ...o }), e);
const pretty = (e: SessionEvent, o: Partial<PrettyOptions> = {}): Rendered | null =>
  render(createPrettyRenderer({ ...PRETTY, ...o }), e);
const json = (e: SessionEvent, showSecrets = false): Rendered | null => render(createJsonRenderer({ showSecrets }), e);

const TLS_LINES = [
  '* TLS connection using TLSv1.3 / TLS_AES_256_GCM_SHA384, ALPN: none',
  '* server certificate:',
  // The peer's names are escaped.
  '*  subject: CN=localhost\\x1b[2J',
  '*  subjectAltName: DNS:localhost, IP Address:127.0.0.1',
  '*  issuer: CN=wsprobe test CA',
  '*  start date: 2025-01-01 00:00:00 UTC',
  '*  expire date: 2025-01-03 00:00:00 UTC',
  '*  SHA-256 fingerprint: AB:CD',
  '*  certificate verified',
];

describe('the tls event', () => {
  it('is nothing without -v', () => {
    expect(pipe(f.tls)).toBeNull();
    expect(pretty(f.tls)).toBeNull();
  });

  it('is curl-like `*` lines with -v: on stderr in pipe mode, with the handshake on stdout in pretty mode', () => {
    expect(pipe(f.tls, { verbose: 1 })).toEqual({ err: `${TLS_LINES.join('\n')}\n` });
    expect(pretty(f.tls, { verbose: 1 })).toEqual({ out: `${TLS_LINES.join('\n')}\n` });
  });

  it('says when -k let an unverified certificate through, and shows what it has without a certificate', () => {
    const e: SessionEvent = {
      ...f.tls,
      verified: false,
      verifyError: 'self-signed certificate',
      certificate: undefined,
    };
    expect(pipe(e, { verbose: 1 })).toEqual({
      err: '* TLS connection using TLSv1.3 / TLS_AES_256_GCM_SHA384, ALPN: none\n*  certificate NOT verified (-k): self-signed certificate\n',
    });
  });

  it('is one json line with the certificate as an object', () => {
    const out = json(f.tls)?.out as string;
    expect(JSON.parse(out)).toEqual({
      event: 'tls',
      time: f.ISO_TIME,
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      alpn: null,
      verified: true,
      certificate: {
        subject: 'CN=localhost\x1b[2J',
        altNames: ['DNS:localhost', 'IP Address:127.0.0.1'],
        issuer: 'CN=wsprobe test CA',
        validFrom: '2025-01-01T00:00:00.000Z',
        validTo: '2025-01-03T00:00:00.000Z',
        fingerprint256: 'AB:CD',
      },
    });
    // The escape travels as a JSON \u escape, never raw.
    expect(out).not.toContain('\x1b');
  });
});

describe('the -w hint (nothing received)', () => {
  const HINT =
    'wsprobe: nothing received within 2 s after sending; wait longer with -w SECONDS or keep the connection open with --keep-open\n';

  it('is one stderr line in pipe and pretty mode', () => {
    expect(pipe(f.nothingReceived)).toEqual({ err: HINT });
    expect(pretty(f.nothingReceived)).toEqual({ err: HINT });
  });

  it('leaves "after sending" out when nothing was sent, and shows fractions of seconds', () => {
    expect(pipe({ ...f.nothingReceived, sent: 0, waitMs: 300 })?.err).toBe(
      'wsprobe: nothing received within 0.3 s; wait longer with -w SECONDS or keep the connection open with --keep-open\n',
    );
  });

  it('is not shown with -q, nor in json', () => {
    expect(pipe(f.nothingReceived, { quiet: true })).toBeNull();
    expect(pretty(f.nothingReceived, { quiet: true })).toBeNull();
    expect(json(f.nothingReceived)).toBeNull();
  });
});

describe('a redirect -L follows', () => {
  const redirect: SessionEvent = {
    ...f.response101,
    status: 302,
    statusText: 'Found',
    headers: [['Location', 'ws://b.test/real?token=s3cret']],
    redirect: 'ws://b.test/real?token=s3cret',
  };

  it('is part of the -v trace, ending with "following redirect to" (its token masked)', () => {
    const lines =
      '< HTTP/1.1 302 Found\n< Location: ws://b.test/real?token=****\n* following redirect to ws://b.test/real?token=****\n';
    expect(pipe(redirect, { verbose: 1 })).toEqual({ err: lines });
    // In pretty mode with the requests on stdout, not on stderr as a refusal is.
    expect(pretty(redirect, { verbose: 1 })).toEqual({ out: lines });
  });

  it('is not shown without -v (the open line names where it led)', () => {
    expect(pipe(redirect)).toBeNull();
    expect(pretty(redirect)).toBeNull();
  });

  it('puts the URL followed on the json response', () => {
    expect(JSON.parse(json(redirect)?.out as string)).toMatchObject({
      event: 'response',
      status: 302,
      redirect: 'ws://b.test/real?token=****',
    });
  });
});

describe('a lost connection told by its error', () => {
  const told: SessionEvent = { ...f.closeLost, reported: true };

  it('has no close line in pipe and pretty mode', () => {
    expect(pipe(told)).toBeNull();
    expect(pretty(told)).toBeNull();
    // Without an error that said why, the close line is the report.
    expect(pipe(f.closeLost)).toEqual({ err: 'connection lost: 1006 (Abnormal Closure), no close frame\n' });
  });

  it('keeps its close event in json, without the flag', () => {
    expect(JSON.parse(json(told)?.out as string)).toEqual({
      event: 'close',
      time: f.ISO_TIME,
      code: 1006,
      reason: '',
      by: 'none',
      clean: false,
    });
  });
});
