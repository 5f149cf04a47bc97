import { describe, expect, it } from 'vitest';
import { type SentClose, whoClosed } from '../../src/connection/close.js';
import type { CloseInfo } from '../../src/protocol/outcome.js';

const ours = (code: number, reason = '', fault = false): SentClose => ({ code, reason, fault });

describe('whoClosed: one rule for our client and for a server’s clients', () => {
  it.each<[string, SentClose | null, [number, string, boolean], CloseInfo, CloseInfo]>([
    [
      'the peer closes first and we answer',
      null,
      [4001, 'nope', true],
      { code: 4001, reason: 'nope', by: 'server', clean: true },
      { code: 4001, reason: 'nope', by: 'client', clean: true },
    ],
    [
      'we close first and the peer answers',
      ours(1000, 'bye'),
      [1000, 'bye', true],
      { code: 1000, reason: 'bye', by: 'client', clean: true },
      { code: 1000, reason: 'bye', by: 'server', clean: true },
    ],
    [
      'we close first and the peer answers with another code: what it answered is shown',
      ours(1000, 'bye'),
      [4000, 'no', true],
      { code: 4000, reason: 'no', by: 'client', clean: true },
      { code: 4000, reason: 'no', by: 'server', clean: true },
    ],
    [
      'we close first and the peer never answers (the close timeout drops it)',
      ours(1000),
      [1006, '', false],
      { code: 1006, reason: '', by: 'client', clean: false },
      { code: 1006, reason: '', by: 'server', clean: false },
    ],
    [
      'the peer broke the protocol: ws closed with 1002 and stopped reading, so the close shows 1002',
      ours(1002, '', true),
      [1006, '', false],
      { code: 1002, reason: '', by: 'client', clean: false },
      { code: 1002, reason: '', by: 'server', clean: false },
    ],
    [
      'a slow consumer closed with 1008 that never answered: the close shows 1008 and why',
      ours(1008, 'too slow: not reading', true),
      [1006, '', false],
      { code: 1008, reason: 'too slow: not reading', by: 'client', clean: false },
      { code: 1008, reason: 'too slow: not reading', by: 'server', clean: false },
    ],
    [
      'a slow consumer closed with 1008 that did answer',
      ours(1008, 'too slow: not reading', true),
      [1008, 'too slow: not reading', true],
      { code: 1008, reason: 'too slow: not reading', by: 'client', clean: true },
      { code: 1008, reason: 'too slow: not reading', by: 'server', clean: true },
    ],
    [
      'no close frame either way: lost',
      null,
      [1006, '', false],
      { code: 1006, reason: '', by: 'none', clean: false },
      { code: 1006, reason: '', by: 'none', clean: false },
    ],
    [
      'the peer closes without a code',
      null,
      [1005, '', true],
      { code: 1005, reason: '', by: 'server', clean: true },
      { code: 1005, reason: '', by: 'client', clean: true },
    ],
  ])('%s', (_name, sent, [code, reason, wasClean], asClient, asServer) => {
    expect(whoClosed(sent, { code, reason, wasClean }, 'client')).toEqual(asClient);
    expect(whoClosed(sent, { code, reason, wasClean }, 'server')).toEqual(asServer);
  });
});
