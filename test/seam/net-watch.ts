/**
 * Every outgoing connection attempt the process makes, seen where they all pass: `net.Socket#connect`
 * (http.request, ws, tls.connect and net.connect all end there, before any DNS lookup). For the
 * in-process seam tests: "nothing was connected to" is an empty list, and a row that does connect shows
 * up in it — the positive control that proves the watch sees what it should.
 */
import net from 'node:net';

export interface ConnectAttempt {
  host?: string;
  port?: number;
  path?: string;
}

export interface ConnectionWatch {
  /** The attempts made since the watch began, in order. */
  attempts: ConnectAttempt[];
  /** Puts `net.Socket#connect` back. */
  restore(): void;
}

function describe(args: unknown[]): ConnectAttempt {
  // net.connect passes its normalised arguments as one array: [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === 'object') {
    const { host, port, path } = first as { host?: string; port?: number | string; path?: string };
    return { host, port: port === undefined ? undefined : Number(port), path };
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return { port: Number(first), host: typeof args[1] === 'string' ? args[1] : undefined };
  }
  return { path: String(first) };
}

export function watchConnections(): ConnectionWatch {
  const proto = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => unknown };
  const original = proto.connect;
  const attempts: ConnectAttempt[] = [];
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    attempts.push(describe(args));
    return original.apply(this, args);
  };
  return {
    attempts,
    restore: () => {
      proto.connect = original;
    },
  };
}
