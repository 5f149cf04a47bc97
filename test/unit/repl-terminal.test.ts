/** Which terminals rewrap the cursor's line on a resize (session/repl.ts). */
import { describe, expect, it } from 'vitest';
import { terminalReflow } from '../../src/session/repl.js';

describe('terminalReflow', () => {
  it.each([
    [{ TMUX: '/tmp/tmux-0/default,1,0', TERM_PROGRAM: 'vscode' }, 'rewraps'],
    [{ VTE_VERSION: '7600' }, 'rewraps'],
    [{ KITTY_WINDOW_ID: '1' }, 'rewraps'],
    [{ WT_SESSION: 'x' }, 'rewraps'],
    [{ TERM_PROGRAM: 'iTerm.app' }, 'rewraps'],
    [{ TERM_PROGRAM: 'vscode' }, 'keeps'],
    [{ XTERM_VERSION: 'XTerm(390)' }, 'keeps'],
    [{ STY: '1.pts-0', VTE_VERSION: '7600' }, 'unknown'],
    [{}, 'unknown'],
  ])('%o → %s', (vars, expected) => {
    expect(terminalReflow(vars)).toBe(expected);
  });
});
