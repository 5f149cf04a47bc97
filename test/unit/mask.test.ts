/**
 * The attack of secrets printed (issue 13, item 11): a URL's password, token-like query parameters, a
 * proxy's credentials, a malformed `--auth` or `-H` echoed back. Masking is for display only
 * (src/output/sanitize.ts, src/cli/error-display.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonFailure, maskedError, shownError, typedSecrets, wantsJson } from '../../src/cli/error-display.js';
import {
  isSecretParam,
  maskCredentials,
  maskHeaderArg,
  maskHeaderValue,
  maskPath,
  maskSecretsInText,
  maskUrl,
} from '../../src/output/sanitize.js';

describe('maskUrl: a URL with user:password or a token shown in a status line, an event or -W', () => {
  it.each([
    ['a password', 'ws://alice:s3cret@host:8080/chat', 'ws://alice:****@host:8080/chat'],
    ['a user alone (a token passed as the user)', 'wss://ghp_TOKEN@host/', 'wss://****@host/'],
    ['an empty password', 'ws://alice:@host/', 'ws://alice:****@host/'],
    ['an @ in the password, as typed', 'ws://u:p@ss@host/x', 'ws://u:****@host/x'],
    ['a percent-encoded password', 'ws://u:p%40ss@host/', 'ws://u:****@host/'],
    ['?token=', 'ws://host/chat?token=abc&room=1', 'ws://host/chat?token=****&room=1'],
    ['?access_token=', 'ws://host/?access_token=eyJ.x.y', 'ws://host/?access_token=****'],
    ['?apikey= and ?api_key=', 'ws://h/?apikey=1&api_key=2&api-key=3', 'ws://h/?apikey=****&api_key=****&api-key=****'],
    [
      '?key=, ?auth=, ?sig=',
      'ws://h/?key=1&auth=2&sig=3&signature=4',
      'ws://h/?key=****&auth=****&sig=****&signature=****',
    ],
    ['?password= and ?secret=', 'ws://h/?password=1&client_secret=2', 'ws://h/?password=****&client_secret=****'],
    [
      'S3-style names in any case',
      'wss://h/o?X-Amz-Signature=ab&X-Amz-Credential=cd',
      'wss://h/o?X-Amz-Signature=****&X-Amz-Credential=****',
    ],
    ['a token in the fragment', 'https://h/cb#access_token=abc&state=1', 'https://h/cb#access_token=****&state=1'],
    ['both at once', 'ws://u:p@h/?token=t', 'ws://u:****@h/?token=****'],
    ['ws+unix with a token', 'ws+unix:///tmp/s.sock:/x?token=t', 'ws+unix:///tmp/s.sock:/x?token=****'],
    ['no scheme (as typed)', 'alice:pw@host:8080', 'alice:****@host:8080'],
    [
      'an invalid URL: everything up to its last @ is user information',
      'http://pu:pa/ss@proxy:80',
      'http://pu:****@proxy:80',
    ],
  ])('masks %s', (_, url, shown) => {
    expect(maskUrl(url)).toBe(shown);
    expect(maskUrl(shown)).toBe(shown);
  });

  it.each([
    ['a plain URL', 'ws://127.0.0.1:8080/chat'],
    ['an @ in the path', 'ws://host/users/@me'],
    ['an @ in the query', 'ws://host/?email=a@b.c'],
    ['harmless parameters', 'ws://h/?room=1&monkey=2&keyword=3&tokens_left=4&sid=5'],
    ['an empty token', 'ws://h/?token=&x'],
    ['a bare parameter name', 'ws://h/?token'],
    ['a listening URL', 'ws://[::1]:8080'],
  ])('leaves %s as it is', (_, url) => {
    expect(maskUrl(url)).toBe(url);
  });
});

describe('isSecretParam: the documented list', () => {
  it.each([
    'token',
    'access_token',
    'refresh_token',
    'id_token',
    'auth_token',
    'apikey',
    'api_key',
    'API-KEY',
    'key',
    'auth',
    'authorization',
    'password',
    'passwd',
    'pwd',
    'pass',
    'secret',
    'client_secret',
    'sig',
    'signature',
    'X-Amz-Signature',
    'X-Amz-Credential',
    'X-Amz-Security-Token',
    'jwt',
    'hub.verify_token',
    'tok%65n',
  ])('%s is secret', (name) => {
    expect(isSecretParam(name)).toBe(true);
  });

  it.each(['room', 'monkey', 'keyword', 'author', 'sid', 'EIO', 'transport', 'id', 'user', 'q', 'tokens_left'])(
    '%s is not',
    (name) => {
      expect(isSecretParam(name)).toBe(false);
    },
  );
});

describe('maskPath: a request line (-v), a server client list', () => {
  it('masks the tokens of a path, keeping the rest', () => {
    expect(maskPath('/chat?token=abc&room=1')).toBe('/chat?token=****&room=1');
    expect(maskPath('/chat')).toBe('/chat');
  });
});

describe('maskSecretsInText: error lines quoting URLs', () => {
  it.each([
    [
      'a connect error',
      'cannot connect to ws://u:pw@127.0.0.1:1/x?token=abc: connection refused (ECONNREFUSED)',
      'cannot connect to ws://u:****@127.0.0.1:1/x?token=****: connection refused (ECONNREFUSED)',
    ],
    [
      'an invalid proxy URL',
      '--proxy: invalid proxy URL "http://pu:ppw@[bad"',
      '--proxy: invalid proxy URL "http://pu:****@[bad"',
    ],
    [
      'an invalid proxy URL with a / in its password',
      'invalid proxy URL "http://pu:pp/w@proxy:80" (from HTTP_PROXY)',
      'invalid proxy URL "http://pu:****@proxy:80" (from HTTP_PROXY)',
    ],
    ['a URL quoted without its scheme', 'invalid URL "alice:pw@[bad"', 'invalid URL "alice:****@[bad"'],
    ['a space in the password of a quoted URL', 'invalid URL "ws://u:p w@h:bad"', 'invalid URL "ws://u:****@h:bad"'],
    [
      'a TLS error',
      'TLS handshake with wss://u:pw@h/ failed: self-signed certificate',
      'TLS handshake with wss://u:****@h/ failed: self-signed certificate',
    ],
  ])('masks %s', (_, text, shown) => {
    expect(maskSecretsInText(text)).toBe(shown);
    expect(maskSecretsInText(shown)).toBe(shown);
  });

  it('keeps text without URLs as it is', () => {
    const text = 'invalid close code 999: use 1000-1003, 1007-1014 or 3000-4999';
    expect(maskSecretsInText(text)).toBe(text);
  });

  it('never shows the password of any URL it is given (property)', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_-]{4,12}$/);
    fc.assert(
      fc.property(word, word, fc.boolean(), (user, password, token) => {
        const secret = `SECRET${password}`;
        const url = token ? `ws://h:1/p?token=${secret}` : `ws://${user}:${secret}@h:1/p`;
        for (const text of [`cannot connect to ${url}: refused`, `invalid URL "${url}"`, `${url}.`]) {
          expect(maskSecretsInText(text)).not.toContain(secret);
        }
        expect(maskUrl(url)).not.toContain(secret);
      }),
    );
  });
});

describe('maskHeaderValue: a Location answer carrying a token', () => {
  it('masks the URL of Location, Content-Location and Referer', () => {
    expect(maskHeaderValue('Location', 'wss://u:p@h/?token=t')).toBe('wss://u:****@h/?token=****');
    expect(maskHeaderValue('referer', 'https://h/?key=k')).toBe('https://h/?key=****');
  });
});

describe('maskHeaderArg and maskCredentials: a malformed -H or --auth echoed back', () => {
  it.each([
    ['Authorization: Bearer abc', 'Authorization: ****'],
    ['Authorization Bearer abc', 'Authorization ****'],
    ['X-Key:', 'X-Key:'],
    ['NoColon', 'NoColon'],
    ['(weird) token', '****'],
  ])('-H %j is shown as %j', (arg, shown) => {
    expect(maskHeaderArg(arg)).toBe(shown);
  });

  it.each([
    ['alice:s3cret', 'alice:****'],
    ['s3cretwithoutuser', '****'],
    [':pw', '****'],
  ])('--auth %j is shown as %j', (arg, shown) => {
    expect(maskCredentials(arg)).toBe(shown);
  });
});

describe('error lines before any output option is resolved (run() and commander)', () => {
  const vars = { HTTP_PROXY: 'http://envuser:envpw@proxy:1/' };

  it('masks what was typed for --auth, -H, --proxy and --passphrase, in every form', () => {
    const argv = [
      'connect',
      'ws://u:urlpw@h/',
      '--auth',
      'alice:authpw',
      '-H',
      'Authorization Bearer hdrtoken',
      '--header=X-Key: hdrkey',
      '-HCookie: sid=cookiepw',
      '--proxy',
      'http://pu:proxypw@[bad',
      '--passphrase=keypass',
    ];
    const text = [...argv, 'invalid header name "Authorization Bearer hdrtoken"', 'http://envuser:envpw@proxy:1/'].join(
      ' | ',
    );
    const shown = shownError(text, argv, vars);
    for (const secret of ['urlpw', 'authpw', 'hdrtoken', 'hdrkey', 'cookiepw', 'proxypw', 'keypass', 'envpw']) {
      expect(shown).not.toContain(secret);
    }
    expect(shown).toContain('alice:****');
    expect(shown).toContain('Authorization ****');
  });

  it('shows connect --auth user (a user name: the password is asked for), masks a server --auth without a colon', () => {
    const message = '--auth alice: no password given and no terminal to ask for it';
    expect(shownError(message, ['connect', 'ws://h/', '--auth', 'alice'], {})).toBe(message);
    expect(shownError('got "s3cretpw"', ['listen', '--auth', 's3cretpw'], {})).toBe('got "****"');
    expect(shownError('got "alice:pw1"', ['connect', 'ws://h/', '--auth', 'alice:pw1'], {})).toBe('got "alice:****"');
  });

  it('honours --show-secrets', () => {
    const argv = ['connect', 'ws://h/', '--auth', 'alice:authpw', '--show-secrets'];
    expect(shownError('option --auth argument alice:authpw', argv, {})).toBe('option --auth argument alice:authpw');
  });

  it('does not read --show-secrets or --json after --', () => {
    expect(typedSecrets(['connect', '--', '--json'], {})).toEqual([]);
    expect(wantsJson(['connect', 'ws://h/', '--', '--json'])).toBe(false);
    expect(wantsJson(['connect', 'ws://h/', '--json'])).toBe(true);
    const argv = ['connect', 'ws://u:pw@h/', '--', '--show-secrets'];
    expect(maskedError('cannot connect to ws://u:pw@h/', argv, {})).toBe('cannot connect to ws://u:****@h/');
  });

  it('escapes what a terminal would act on, keeping line breaks', () => {
    expect(shownError('bad \x1b]0;t\x07 \u202e\nnext', [], {})).toBe('bad \\x1b]0;t\\x07 \\u202e\nnext');
  });

  it('writes a usage error under --json as an error event and a summary with exitCode 2', () => {
    const text = jsonFailure('usage', 'invalid close code 5', 'see wsprobe --help', 2, 0, false);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      {
        event: 'error',
        time: '1970-01-01T00:00:00.000Z',
        kind: 'usage',
        message: 'invalid close code 5',
        hint: 'see wsprobe --help',
      },
      {
        event: 'summary',
        time: '1970-01-01T00:00:00.000Z',
        exitCode: 2,
        messagesIn: 0,
        messagesOut: 0,
        bytesIn: 0,
        bytesOut: 0,
        timings: { totalMs: 0 },
      },
    ]);
  });
});
