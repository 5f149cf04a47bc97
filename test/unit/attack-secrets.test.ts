/**
 * The attack of secrets printed (issue 13, item 11), on the pure renderers: a URL's password and its
 * token-like parameters never appear in a status line, an error, a JSON event or -W unless
 * --show-secrets; the events themselves keep the real URL (the connection uses it).
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { Renderer, SessionEvent, SummaryEvent } from '../../src/output/events.js';
import { render } from '../../src/output/events.js';
import { createJsonRenderer } from '../../src/output/json.js';
import { createPipeRenderer } from '../../src/output/pipe.js';
import { createPrettyRenderer } from '../../src/output/pretty.js';
import { parseWriteOut } from '../../src/output/summary.js';
import * as f from './fixtures.js';

const URL_WITH_SECRETS = 'ws://alice:PASSWORD1@127.0.0.1:8080/chat?token=TOKEN1&room=1';
const SECRETS = ['PASSWORD1', 'TOKEN1'];

const events: SessionEvent[] = [
  { ...f.connecting, url: URL_WITH_SECRETS },
  { ...f.request, url: URL_WITH_SECRETS, path: '/chat?token=TOKEN1&room=1' },
  { ...f.open, url: URL_WITH_SECRETS },
  {
    ...f.error,
    message: `cannot connect to ${URL_WITH_SECRETS}: connection refused (ECONNREFUSED)`,
    hint: `check ${URL_WITH_SECRETS}`,
  },
  { ...f.reconnecting, reason: `lost ${URL_WITH_SECRETS}` },
  { ...f.response101, status: 302, headers: [['Location', URL_WITH_SECRETS]] },
];

function renderers(showSecrets: boolean): Array<[string, Renderer]> {
  return [
    [
      'pretty',
      createPrettyRenderer({
        chalk: new Chalk({ level: 0 }),
        verbose: 1,
        showPingPong: false,
        timestamps: false,
        maxDisplay: 256,
        showSecrets,
        quiet: false,
      }),
    ],
    [
      'pipe',
      createPipeRenderer({
        quiet: false,
        verbose: 1,
        showPingPong: false,
        showSecrets,
        binaryOutput: 'raw',
        separator: '\n',
      }),
    ],
    ['json', createJsonRenderer({ showSecrets })],
  ];
}

function printed(renderer: Renderer): string {
  return events
    .map((e) => render(renderer, e))
    .map((r) => `${r?.out ?? ''}${r?.err ?? ''}`)
    .join('');
}

describe('secrets printed: a URL with user:password and ?token=', () => {
  it.each(renderers(false))('%s masks them in every line', (_, renderer) => {
    const text = printed(renderer);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).toContain('alice:****@127.0.0.1:8080');
    expect(text).toContain('token=****&room=1');
  });

  it.each(renderers(true))('%s shows them with --show-secrets', (_, renderer) => {
    const text = printed(renderer);
    for (const secret of SECRETS) expect(text).toContain(secret);
  });

  it('pretty -v shows the request line with the token masked', () => {
    const [, pretty] = renderers(false)[0];
    const out = render(pretty, { ...f.request, path: '/chat?token=TOKEN1&room=1' })?.out as string;
    expect(out.split('\n')[0]).toBe('> GET /chat?token=****&room=1 HTTP/1.1');
  });

  it('json masks the url of connecting and open, and the message of an error', () => {
    const json = createJsonRenderer({ showSecrets: false });
    const parse = (e: SessionEvent) => JSON.parse(render(json, e)?.out as string) as Record<string, unknown>;
    const masked = 'ws://alice:****@127.0.0.1:8080/chat?token=****&room=1';
    expect(parse(events[0]).url).toBe(masked);
    expect(parse(events[2]).url).toBe(masked);
    expect(parse(events[3]).message).toBe(`cannot connect to ${masked}: connection refused (ECONNREFUSED)`);
  });

  it('leaves the event itself alone: masking is for display only', () => {
    const e = { ...f.open, url: URL_WITH_SECRETS };
    for (const [, renderer] of renderers(false)) render(renderer, e);
    expect(e.url).toBe(URL_WITH_SECRETS);
  });
});

describe('secrets printed: -W %{url}', () => {
  const summary: SummaryEvent = { ...f.summary, url: URL_WITH_SECRETS };
  const compile = (format: string) => {
    const parsed = parseWriteOut(format);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  };

  it('masks the password and the token, with or without :raw', () => {
    const masked = 'ws://alice:****@127.0.0.1:8080/chat?token=****&room=1';
    expect(compile('%{url}')(summary)).toBe(masked);
    expect(compile('%{url:raw}')(summary)).toBe(masked);
  });

  it('shows them with --show-secrets', () => {
    expect(compile('%{url}')(summary, { showSecrets: true })).toBe(URL_WITH_SECRETS);
  });
});
