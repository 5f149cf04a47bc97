/** Exit codes (SPEC "Exit codes") and the typed errors that carry them to `main`. */

export const ExitCode = {
  Ok: 0,
  Internal: 1,
  Usage: 2,
  Connect: 3,
  Tls: 4,
  Handshake: 5,
  Lost: 6,
  PeerClosed: 7,
  Expect: 8,
  /** `replay`: the session went well but the server's answers did not match the recording. */
  Mismatch: 9,
  /** `--exec`: the program exited non-zero or was killed by a signal we did not send. */
  ProgramFailed: 10,
  Timeout: 124,
  /** 128 + signal: SIGHUP, SIGINT (Ctrl+C), SIGTERM. */
  Hangup: 129,
  Interrupted: 130,
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorKind =
  | 'usage'
  | 'connect'
  | 'tls'
  | 'handshake'
  | 'protocol'
  | 'lost'
  | 'timeout'
  | 'expect'
  | 'internal';

export const EXIT_CODE_OF_KIND: Readonly<Record<ErrorKind, ExitCode>> = {
  usage: ExitCode.Usage,
  connect: ExitCode.Connect,
  tls: ExitCode.Tls,
  handshake: ExitCode.Handshake,
  protocol: ExitCode.Lost,
  lost: ExitCode.Lost,
  timeout: ExitCode.Timeout,
  expect: ExitCode.Expect,
  internal: ExitCode.Internal,
};

/** An error the user should see as one line, ending the program with the code of its kind. */
export class WsprobeError extends Error {
  readonly kind: ErrorKind;
  readonly hint?: string;
  constructor(kind: ErrorKind, message: string, hint?: string) {
    super(message);
    this.name = 'WsprobeError';
    this.kind = kind;
    this.hint = hint;
  }
  get exitCode(): ExitCode {
    return EXIT_CODE_OF_KIND[this.kind];
  }
}

export function usageError(message: string, hint?: string): WsprobeError {
  return new WsprobeError('usage', message, hint);
}
