import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consolePage } from '../../src/server/console-page.js';

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
});
