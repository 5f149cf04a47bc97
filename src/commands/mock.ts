/**
 * `wsprobe mock <rules.json> [port]`: a stand-in server scripted by a rules file (protocol/rules.ts,
 * docs/rules.md) — a greeting on connect, answers to matching messages, heartbeats, a close after K
 * messages — for each client on its own. It reads no stdin, so it runs as a background job in CI.
 */
import type { Env } from '../env.js';
import type { Rule } from '../protocol/rules.js';
import { ServerRules } from '../rules/server.js';
import type { ServerPlan } from '../server/options.js';
import { runServer } from '../server/run.js';

export interface MockPlan extends ServerPlan {
  rules: readonly Rule[];
}

export function runMock(plan: MockPlan, env: Env): Promise<number> {
  return runServer(plan, env, (ctx) => {
    const rules = new ServerRules(ctx, plan.rules);
    return {
      exposes: 'the answers of the rules file',
      opened: (client) => rules.opened(client),
      message: (client, data, isBinary) => {
        rules.message(client, data, isBinary);
      },
      closed: (client) => rules.closed(client),
      finished: () => rules.finished(),
    };
  });
}
