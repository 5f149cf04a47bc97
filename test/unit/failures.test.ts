import { describe, expect, it } from 'vitest';
import {
  certificateNames,
  certificateProblem,
  classifyConnectError,
  classifyOpenError,
  errorLike,
  pingFloodFailure,
  sentCloseCode,
  speaksTlsFailure,
} from '../../src/protocol/failures.js';

const T = 'wss://h:1/';

describe('classifyConnectError', () => {
  it.each<[string, { code?: string; message: string; name?: string }, string, string]>([
    [
      'refused',
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
      'connect',
      'connection refused (ECONNREFUSED)',
    ],
    ['DNS', { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND h' }, 'connect', 'host not found'],
    ['a handshake timeout', { message: 'Opening handshake has timed out' }, 'connect', 'timed out'],
    [
      'a reset during the handshake',
      { code: 'ECONNRESET', message: 'read ECONNRESET' },
      'connect',
      'connection closed during the handshake',
    ],
    [
      'a self-signed certificate',
      { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' },
      'tls',
      'self-signed certificate',
    ],
    [
      'an unknown CA',
      { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'x' },
      'tls',
      'unknown certificate authority',
    ],
    ['a host mismatch', { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'x' }, 'tls', 'host name does not match'],
    ['an expired certificate', { code: 'CERT_HAS_EXPIRED', message: 'x' }, 'tls', 'certificate has expired'],
    [
      'a plain-text server on wss',
      {
        code: 'EPROTO',
        message: 'write EPROTO 80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../x.c:350:\n',
      },
      'tls',
      'wrong version number',
    ],
    [
      'a garbage answer',
      { code: 'HPE_INVALID_CONSTANT', message: 'Parse Error: Expected HTTP/' },
      'handshake',
      'invalid HTTP answer',
    ],
    [
      'a wrong accept key',
      { message: 'Invalid Sec-WebSocket-Accept header' },
      'handshake',
      'invalid WebSocket upgrade',
    ],
    [
      'an unrequested subprotocol',
      { message: 'Server sent a subprotocol but none was requested' },
      'handshake',
      'subprotocol',
    ],
    ['anything else', { code: 'EWEIRD', message: 'weird\nsecond line' }, 'connect', 'weird (EWEIRD)'],
  ])('classifies %s', (_name, err, kind, text) => {
    const failure = classifyConnectError(err, T);
    expect(failure.kind).toBe(kind);
    expect(failure.message).toContain(text);
    expect(failure.message).not.toContain('\n');
  });

  it('hints at --ca/-k for a refused server certificate and at --cert/--key for a TLS alert', () => {
    expect(classifyConnectError({ code: 'CERT_HAS_EXPIRED', message: 'x' }, T).hint).toContain('--ca');
    const alert = classifyConnectError({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', message: 'x' }, T);
    expect(alert.kind).toBe('tls');
    expect(alert.hint).toContain('--cert and --key');
  });

  it.each(['wrong version number', 'packet length too long'])(
    'says a server answering "%s" to wss:// does not speak TLS, and to try ws://',
    (reason) => {
      const f = classifyConnectError(
        {
          code: 'EPROTO',
          message: `write EPROTO 80:error:0A00010B:SSL routines:ssl3_get_record:${reason}:../x.c:350:`,
        },
        T,
      );
      expect(f).toEqual({
        kind: 'tls',
        message: `TLS handshake with ${T} failed: this server does not speak TLS (${reason})`,
        hint: 'try ws://h:1/',
      });
    },
  );

  it("names the certificate's names on a host-name mismatch and hints -k only (another CA would not help)", () => {
    const f = classifyConnectError(
      { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'x', host: '127.0.0.1', certNames: ['other.test', 'x.test'] },
      T,
    );
    expect(f.kind).toBe('tls');
    expect(f.message).toBe(
      `TLS handshake with ${T} failed: host name 127.0.0.1 does not match the certificate, which is for other.test, x.test`,
    );
    expect(f.hint).toContain('-k');
    expect(f.hint).not.toContain('--ca');
  });

  it('says a server answering ws:// with a TLS record speaks TLS, and to try wss://', () => {
    const alert = Uint8Array.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]);
    const f = classifyConnectError(
      { code: 'HPE_INVALID_CONSTANT', message: 'Parse Error: Expected HTTP/', rawPacket: alert },
      'ws://h:1/',
    );
    expect(f).toEqual(speaksTlsFailure('ws://h:1/'));
    expect(f).toEqual({
      kind: 'handshake',
      message: 'cannot connect to ws://h:1/: this server speaks TLS',
      hint: 'try wss://h:1/',
    });
    // Plain garbage is not taken for TLS.
    const garbage = Buffer.from('SSH-2.0-OpenSSH\r\n');
    expect(
      classifyConnectError({ code: 'HPE_INVALID_CONSTANT', message: 'x', rawPacket: garbage }, T).message,
    ).toContain('invalid HTTP answer');
  });
});

describe('certificate names and errorLike', () => {
  it('lists the subject alternative names without their types, or the CN when there are none', () => {
    expect(certificateNames('DNS:localhost, IP Address:127.0.0.1')).toEqual(['localhost', '127.0.0.1']);
    expect(certificateNames(undefined, 'only.test')).toEqual(['only.test']);
    expect(certificateNames(undefined)).toEqual([]);
  });

  it("reads the host, the certificate's names and the raw packet off an error", () => {
    const err = Object.assign(new Error('Hostname/IP does not match'), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      host: '127.0.0.1',
      cert: { subjectaltname: 'DNS:other.test', subject: { CN: 'other.test' } },
      rawPacket: Buffer.from([0x15, 0x03]),
    });
    expect(errorLike(err)).toMatchObject({
      host: '127.0.0.1',
      certNames: ['other.test'],
      rawPacket: Buffer.from([0x15, 0x03]),
    });
  });

  it('words certificate problems', () => {
    expect(certificateProblem('DEPTH_ZERO_SELF_SIGNED_CERT')).toBe('self-signed certificate');
    expect(certificateProblem('SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });
});

describe('classifyOpenError', () => {
  it('calls a ws protocol error a violation and names the close code sent', () => {
    const f = classifyOpenError({
      code: 'WS_ERR_INVALID_OPCODE',
      message: 'Invalid WebSocket frame: invalid opcode 3',
      closeCode: 1002,
    });
    expect(f).toEqual({
      kind: 'protocol',
      message: 'protocol violation by the peer: Invalid WebSocket frame: invalid opcode 3; closing with 1002',
    });
  });

  it('calls a socket error on an open connection a lost connection', () => {
    expect(classifyOpenError({ code: 'ECONNRESET', message: 'read ECONNRESET' })).toEqual({
      kind: 'lost',
      message: 'connection lost: read ECONNRESET (ECONNRESET)',
    });
  });

  it('names the peer when told who it is (a server names its client)', () => {
    const violation = { code: 'WS_ERR_EXPECTED_MASK', message: 'Invalid WebSocket frame: MASK must be set' };
    expect(classifyOpenError({ ...violation, closeCode: 1002 }, 'client #2')).toEqual({
      kind: 'protocol',
      message: 'client #2 broke the protocol: Invalid WebSocket frame: MASK must be set; closing with 1002',
    });
    expect(classifyOpenError({ code: 'EPIPE', message: 'write EPIPE' }, 'client #2')).toEqual({
      kind: 'lost',
      message: 'client #2: connection lost: write EPIPE (EPIPE)',
    });
  });
});

describe('errorLike', () => {
  it('keeps the name, code and message of an error, and the close code given', () => {
    const err = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(errorLike(err)).toEqual({ name: 'Error', code: 'ECONNRESET', message: 'read ECONNRESET' });
    expect(errorLike(new RangeError('too big'), 1009)).toMatchObject({ name: 'RangeError', closeCode: 1009 });
  });
});

describe('sentCloseCode', () => {
  it('reads the close code ws put on a protocol error, and nothing from other errors', () => {
    const err = Object.assign(new Error('Invalid WebSocket frame'), { [Symbol('status-code')]: 1007 });
    expect(sentCloseCode(err)).toBe(1007);
    expect(sentCloseCode(new Error('other'))).toBeUndefined();
  });
});

describe('pingFloodFailure', () => {
  it('says why ws dropped the peer, on either side (issue 13, item 13)', () => {
    expect(pingFloodFailure('client', 60)).toEqual({
      kind: 'lost',
      message:
        'connection lost: dropped for a ping flood (the server sent pings without reading our pongs; 60 pongs waiting)',
    });
    expect(pingFloodFailure('server', 60, 'client #3').message).toBe(
      'client #3: connection lost: dropped for a ping flood (the client sent pings without reading our pongs; 60 pongs waiting)',
    );
  });
});
