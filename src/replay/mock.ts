/**
 * `replay --serve`: a mock server playing a recording's server side to each client on its own. What
 * the server sent before the client's first message is sent on connect; each client message that
 * matches the next recorded one (as `replay` compares them, `--ignore-json-path` included) is answered
 * with what the server sent after it. Anything else is reported and answered with nothing; the client
 * stays connected and may still send what the recording expects.
 */
import { diffMessages, type JsonPath } from '../protocol/compare.js';
import type { RecordedMessage } from '../protocol/recording.js';
import type { ServerClient } from '../server/client.js';
import type { ServerContext, ServerHandlers } from '../server/run.js';

interface Position {
  /** The next recorded message for this client. */
  at: number;
  /** Messages this client has sent. */
  sent: number;
}

export function mockHandlers(
  messages: readonly RecordedMessage[],
  ignore: readonly JsonPath[],
  ctx: ServerContext,
): ServerHandlers {
  const positions = new Map<ServerClient, Position>();
  const answer = (client: ServerClient, p: Position): void => {
    while (p.at < messages.length && messages[p.at].from === 'server') {
      const { data, binary } = messages[p.at];
      client.send(data, binary, undefined, { ownBacklog: true });
      p.at++;
    }
  };
  return {
    exposes: 'the answers of a recording',
    opened(client) {
      const p: Position = { at: 0, sent: 0 };
      positions.set(client, p);
      answer(client, p);
    },
    message(client, data, binary) {
      const p = positions.get(client);
      if (!p) return;
      p.sent++;
      const next = p.at < messages.length ? messages[p.at] : undefined;
      if (next && diffMessages(next, { data, binary }, ignore).length === 0) {
        p.at++;
        answer(client, p);
        return;
      }
      ctx.output.emit({
        event: 'compare',
        time: ctx.env.now(),
        conn: client.id,
        index: p.sent,
        result: 'unexpected',
        expected: next ? { data: next.data, binary: next.binary } : undefined,
        actual: { data, binary },
      });
    },
    closed(client) {
      positions.delete(client);
    },
  };
}
