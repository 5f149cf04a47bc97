/**
 * The page `listen --console` serves at `GET /`: one self-contained HTML document (inline style and
 * script, no external assets) whose script connects back to the same server with the browser's
 * WebSocket API — connection state, a message log and a send form. With `--broadcast` it is a chat.
 * Received text is only ever inserted with `textContent`, never parsed as HTML.
 */
import { createHash } from 'node:crypto';

export interface ConsolePage {
  html: string;
  /** Headers to send with it: a strict Content-Security-Policy that allows exactly this script. */
  headers: Record<string, string>;
}

const STYLE = `
:root { color-scheme: light dark; --in: #0a7; --out: #36c; --sys: #888; --bad: #c33; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; display: flex; flex-direction: column; height: 100vh; }
header { display: flex; gap: 1em; align-items: center; padding: .6em 1em; border-bottom: 1px solid #8884; }
header h1 { font-size: 1em; margin: 0; }
#url { color: var(--sys); flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#state { padding: .1em .6em; border-radius: 1em; border: 1px solid currentColor; }
#state[data-state="open"] { color: var(--in); }
#state[data-state="connecting"] { color: var(--sys); }
#state[data-state="closed"] { color: var(--bad); }
#log { flex: 1; overflow-y: auto; padding: .5em 1em; margin: 0; }
.row { white-space: pre-wrap; word-break: break-all; }
.row .time { color: var(--sys); }
.row.in .mark { color: var(--in); }
.row.out .mark { color: var(--out); }
.row.sys { color: var(--sys); }
form { display: flex; gap: .5em; padding: .6em 1em; border-top: 1px solid #8884; }
#message { flex: 1; font: inherit; padding: .4em; }
button { font: inherit; padding: .4em 1em; }
`;

function script(protocols: readonly string[]): string {
  return `
(() => {
  'use strict';
  const protocols = ${JSON.stringify(protocols).replace(/</g, '\\u003c')};
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/';
  const $ = (id) => document.getElementById(id);
  const logEl = $('log'), stateEl = $('state'), form = $('send-form'), input = $('message');
  const sendButton = $('send'), reconnectButton = $('reconnect');
  $('url').textContent = url;
  let ws = null;

  function log(kind, text) {
    const row = document.createElement('div');
    row.className = 'row ' + kind;
    const time = document.createElement('span');
    time.className = 'time';
    time.textContent = new Date().toTimeString().slice(0, 8) + ' ';
    const mark = document.createElement('span');
    mark.className = 'mark';
    mark.textContent = kind === 'in' ? '< ' : kind === 'out' ? '> ' : '* ';
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    row.append(time, mark, body);
    const atBottom = logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 40;
    logEl.append(row);
    if (atBottom) logEl.scrollTop = logEl.scrollHeight;
  }

  function binaryText(buffer) {
    const bytes = new Uint8Array(buffer);
    const shown = Array.from(bytes.slice(0, 64), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return 'binary ' + bytes.length + ' bytes: ' + shown + (bytes.length > 64 ? ' …' : '');
  }

  function setState(state, text) {
    stateEl.dataset.state = state;
    stateEl.textContent = text;
    sendButton.disabled = state !== 'open';
    reconnectButton.hidden = state !== 'closed';
  }

  function connect() {
    setState('connecting', 'connecting…');
    ws = new WebSocket(url, protocols);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      setState('open', ws.protocol ? 'connected (' + ws.protocol + ')' : 'connected');
      log('sys', 'connected to ' + url + (ws.extensions ? ' (' + ws.extensions + ')' : ''));
      input.focus();
    };
    ws.onmessage = (e) => log('in', typeof e.data === 'string' ? e.data : binaryText(e.data));
    ws.onclose = (e) => {
      const text = 'closed ' + e.code + (e.reason ? ' "' + e.reason + '"' : '') + (e.wasClean ? '' : ', not clean');
      setState('closed', text);
      log('sys', text);
    };
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(input.value);
    log('out', input.value);
    input.value = '';
    input.focus();
  });
  reconnectButton.addEventListener('click', connect);
  connect();
})();
`;
}

/** `protocols`: the subprotocols the page offers (the server's `-s` list, if any). */
export function consolePage(protocols: readonly string[] = []): ConsolePage {
  const code = script(protocols);
  const hash = createHash('sha256').update(code, 'utf8').digest('base64');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wsprobe console</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header><h1>wsprobe console</h1><span id="url"></span><span id="state" data-state="connecting">connecting…</span></header>
<div id="log" role="log" aria-live="polite"></div>
<form id="send-form" autocomplete="off">
<input id="message" placeholder="message" aria-label="message">
<button id="send" type="submit" disabled>Send</button>
<button id="reconnect" type="button" hidden>Reconnect</button>
</form>
<script>${code}</script>
</body>
</html>
`;
  return {
    html,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; img-src data:; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    },
  };
}
