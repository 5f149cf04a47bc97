import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { render } from '../../src/output/events.js';
import { createJsonRenderer } from '../../src/output/json.js';
import { createPipeRenderer } from '../../src/output/pipe.js';
import { createPrettyRenderer } from '../../src/output/pretty.js';
import { backoffDelay } from '../../src/protocol/backoff.js';
import * as f from './fixtures.js';

describe('the reconnecting event', () => {
  it('is a status line in pipe mode, silenced by -q', () => {
    const options = {
      verbose: 0,
      showPingPong: false,
      showSecrets: false,
      binaryOutput: 'raw' as const,
      separator: '\n',
    };
    expect(render(createPipeRenderer({ ...options, quiet: false }), f.reconnecting)).toEqual({
      err: 'connection lost; reconnecting in 0.5 s (attempt 2 of 3)\n',
    });
    expect(render(createPipeRenderer({ ...options, quiet: true }), f.reconnecting)).toBeNull();
  });

  it('is a stderr line in pretty mode', () => {
    const pretty = createPrettyRenderer({
      chalk: new Chalk({ level: 0 }),
      verbose: 0,
      showPingPong: false,
      timestamps: false,
      maxDisplay: 16,
      showSecrets: false,
      quiet: false,
    });
    expect(render(pretty, { ...f.reconnecting, of: undefined })).toEqual({
      err: 'connection lost; reconnecting in 0.5 s (attempt 2)\n',
    });
  });

  it('is a JSON line with attempt, of, delayMs and reason', () => {
    const out = render(createJsonRenderer({ showSecrets: false }), f.reconnecting)?.out as string;
    expect(JSON.parse(out)).toEqual({
      event: 'reconnecting',
      time: f.ISO_TIME,
      attempt: 2,
      of: 3,
      delayMs: 480,
      reason: 'connection lost',
    });
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 0, 125],
    [1, 0.999, 250],
    [2, 0.5, 375],
    [3, 0, 500],
    [10, 0.999, 9995],
    [50, 0, 5000],
  ])('attempt %i with random %d waits %i ms', (attempt, random, ms) => {
    expect(backoffDelay(attempt, random)).toBe(ms);
  });
});
