import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONSOLE_PATH, consoleHello, consoleMessage, consolePage } from '../../src/server/console-page.js';

function inlineScript(html: string): string {
  const match = /<script>([\s\S]*)<\/script>/.exec(html);
  if (!match) throw new Error('no inline script');
  return match[1];
}

describe('consolePage', () => {
  it('is self-contained: no external scripts, styles, images or fonts', () => {
    const { html } = consolePage();
    expect(html).not.toMatch(/\b(src|href)=["'](?!data:)/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain('@import');
  });

  it('allows exactly its own inline script in the Content-Security-Policy', () => {
    const { html, headers } = consolePage(['chat']);
    const hash = createHash('sha256').update(inlineScript(html), 'utf8').digest('base64');
    expect(headers['Content-Security-Policy']).toContain(`script-src 'sha256-${hash}'`);
    expect(headers['Content-Security-Policy']).toContain("default-src 'none'");
    expect(headers['Content-Type']).toBe('text/html; charset=utf-8');
  });

  it('embeds the subprotocols as data that cannot end the script', () => {
    const { html } = consolePage(['chat', '</script><script>alert(1)//']);
    const script = inlineScript(html);
    expect(script).toContain('const protocols = ["chat","\\u003c/script>\\u003cscript>alert(1)//"];');
    expect(html.match(/<\/script>/g)).toHaveLength(1);
  });

  it('shows received messages with textContent, never as HTML', () => {
    const script = inlineScript(consolePage().html);
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(script).toContain('body.textContent = text');
  });

  it('wraps long lines between words, not inside them (a token longer than a row still wraps)', () => {
    const { html } = consolePage();
    expect(html).toMatch(/\.row \{[^}]*word-break: normal;[^}]*overflow-wrap: break-word;/);
    expect(html).not.toMatch(/break-all|overflow-wrap: anywhere/);
  });

  it('connects to the console path, where the server speaks envelopes', () => {
    const script = inlineScript(consolePage().html);
    expect(script).toContain(`location.host + ${JSON.stringify(CONSOLE_PATH)}`);
  });
});

describe('the console envelopes', () => {
  it('tell the page which client it is', () => {
    expect(JSON.parse(consoleHello(7).toString())).toEqual({ wsprobe: 'you', id: 7 });
  });

  it('carry a text with its sender, or null for the person at the server', () => {
    expect(JSON.parse(consoleMessage(Buffer.from('hé </script>'), false, 3).toString())).toEqual({
      wsprobe: 'message',
      from: 3,
      type: 'text',
      data: 'hé </script>',
    });
    expect(JSON.parse(consoleMessage(Buffer.from('x'), false).toString())).toMatchObject({ from: null });
  });

  it('carry binary in base64', () => {
    expect(JSON.parse(consoleMessage(Buffer.from([0, 255]), true, 1).toString())).toEqual({
      wsprobe: 'message',
      from: 1,
      type: 'binary',
      data: 'AP8=',
    });
  });
});
