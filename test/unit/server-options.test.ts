import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { credentialsArg, portArg } from '../../src/cli/server-options.js';

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
