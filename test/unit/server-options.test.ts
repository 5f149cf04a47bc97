import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { credentialsArg, portArg } from '../../src/cli/server-options.js';
import { onceExitCode } from '../../src/server/run.js';

describe('portArg', () => {
  it.each([
    ['0', 0],
    ['8080', 8080],
    ['65535', 65535],
  ])('accepts %j', (text, port) => {
    expect(portArg(text)).toBe(port);
  });

  it.each(['65536', '-1', '80.5', 'http', ''])('rejects %j', (text) => {
    expect(() => portArg(text)).toThrow(InvalidArgumentError);
  });
});

describe('credentialsArg', () => {
  it('splits at the first colon', () => {
    expect(credentialsArg('ada:pa:ss')).toEqual({ user: 'ada', password: 'pa:ss' });
  });

  it('rejects a value without a password part', () => {
    expect(() => credentialsArg('ada')).toThrow('expected user:password, got "ada"');
  });
});

describe('onceExitCode', () => {
  it.each([
    [{ code: 1000, reason: '', by: 'client', clean: true }, 0],
    [{ code: 1001, reason: '', by: 'client', clean: true }, 0],
    [{ code: 1005, reason: '', by: 'client', clean: true }, 0],
    [{ code: 4000, reason: 'x', by: 'client', clean: true }, 7],
    [{ code: 1011, reason: '', by: 'client', clean: true }, 7],
    [{ code: 1002, reason: '', by: 'client', clean: true }, 6],
    [{ code: 1006, reason: '', by: 'none', clean: false }, 6],
    [{ code: 4002, reason: '', by: 'server', clean: true }, 0],
    [{ code: 1009, reason: '', by: 'server', clean: false }, 6],
  ] as const)('maps %j to %i', (close, code) => {
    expect(onceExitCode(close)).toBe(code);
  });
});
