/**
 * The page `listen --console` serves at `GET /`: one self-contained HTML document (inline style and
 * script, no external assets) whose script connects back to the same server with the browser's
 * WebSocket API — connection state, which client it is, a message log with each message's sender, a
 * send form (text, or binary given in hex) and a close with a code and reason. With `--broadcast` it
 * is a chat. Received text is only ever inserted with `textContent`, never parsed as HTML.
 *
 * The page connects to CONSOLE_PATH, and the server speaks a small protocol to it (and only to it):
 * a first text message `{"wsprobe":"you","id":3}`, then every message in an envelope
 * `{"wsprobe":"message","from":1|null,"type":"text"|"binary","data":"…"}` (binary data in base64;
 * `from` null: the person running the server). What the page sends is sent as it is.
 */
import { createHash } from 'node:crypto';

export interface ConsolePage {
  html: string;
  /** Headers to send with it: a strict Content-Security-Policy that allows exactly this script. */
  headers: Record<string, string>;
}

/** The request path of the console page's WebSocket: clients that ask for it get envelopes. */
export const CONSOLE_PATH = '/?wsprobe-console';

/** The console page's first message: which client it is. */
export function consoleHello(id: number): Buffer {
  return Buffer.from(JSON.stringify({ wsprobe: 'you', id }), 'utf8');
}

/** One message for the console page, in its envelope: who sent it (a client's id, or null: the server). */
export function consoleMessage(data: Buffer, binary: boolean, from?: number): Buffer {
  const envelope = {
    wsprobe: 'message',
    from: from ?? null,
    type: binary ? 'binary' : 'text',
    data: data.toString(binary ? 'base64' : 'utf8'),
  };
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

const STYLE = `
:root { color-scheme: light dark; --in: #0a7; --out: #36c; --sys: #888; --bad: #c33; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; display: flex; flex-direction: column; height: 100vh; }
header { display: flex; gap: 1em; align-items: center; padding: .6em 1em; border-bottom: 1px solid #8884; }
header h1 { font-size: 1em; margin: 0; }
#url { color: var(--sys); flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#me { font-weight: bold; }
#state { padding: .1em .6em; border-radius: 1em; border: 1px solid currentColor; }
#state[data-state="open"] { color: var(--in); }
#state[data-state="connecting"], #state[data-state="closing"] { color: var(--sys); }
#state[data-state="closed"] { color: var(--bad); }
#log { flex: 1; overflow-y: auto; padding: .5em 1em; margin: 0; }
.row { white-space: pre-wrap; word-break: normal; overflow-wrap: break-word; }
.row .time { color: var(--sys); }
.row .who { font-weight: bold; }
.row.in .mark { color: var(--in); }
.row.out .mark { color: var(--out); }
.row.sys { color: var(--sys); }
.row.sys.bad { color: var(--bad); }
form { display: flex; flex-wrap: wrap; gap: .5em; align-items: center; padding: .6em 1em; border-top: 1px solid #8884; }
#message { flex: 1; min-width: 12em; font: inherit; padding: .4em; }
#close-code { width: 6em; }
#close-reason { flex: 1; min-width: 8em; }
input, select, button { font: inherit; padding: .4em; }
button { padding: .4em 1em; }
`;

/**
 * The page's script. It keeps to what the CSP allows (this script, connect-src to its own server) and
 * never turns received data into markup: every text goes in with `textContent`.
 */
function script(protocols: readonly string[]): string {
  return `
(() => {
  'use strict';
  const protocols = ${JSON.stringify(protocols).replace(/</g, '\\u003c')};
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + ${JSON.stringify(CONSOLE_PATH)};
  const $ = (id) => document.getElementById(id);
  const logEl = $('log'), stateEl = $('state'), meEl = $('me'), form = $('send-form'), input = $('message');
  const modeEl = $('mode'), sendButton = $('send'), reconnectButton = $('reconnect');
  const closeForm = $('close-form'), codeEl = $('close-code'), reasonEl = $('close-reason'), closeButton = $('close');
  $('url').textContent = url;
  let ws = null;

  /** One log row: kind is in, out or sys; who names the sender (#3, server, you). */
  function log(kind, text, who, bad) {
    const row = document.createElement('div');
    row.className = 'row ' + kind + (bad ? ' bad' : '');
    const time = document.createElement('span');
    time.className = 'time';
    time.textContent = new Date().toTimeString().slice(0, 8) + ' ';
    const mark = document.createElement('span');
    mark.className = 'mark';
    mark.textContent = kind === 'in' ? '< ' : kind === 'out' ? '> ' : '* ';
    row.append(time, mark);
    if (who) {
      const whoEl = document.createElement('span');
      whoEl.className = 'who';
      whoEl.textContent = who;
      const gap = document.createTextNode(' ');
      row.append(whoEl, gap);
    }
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    row.append(body);
    const atBottom = logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 40;
    logEl.append(row);
    if (atBottom) logEl.scrollTop = logEl.scrollHeight;
  }

  function binaryText(bytes) {
    const shown = Array.from(bytes.slice(0, 64), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return 'binary ' + bytes.length + ' bytes: ' + shown + (bytes.length > 64 ? ' …' : '');
  }

  function fromBase64(text) {
    const raw = atob(text);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  function parseHex(text) {
    const digits = text.replace(/0x/gi, '').replace(/[\\s:,]/g, '');
    if (digits === '' || digits.length % 2 !== 0 || /[^0-9a-f]/i.test(digits)) {
      throw new Error('not hex bytes: "' + text + '" (e.g. 00 ff 0a)');
    }
    return Uint8Array.from(digits.match(/../g), (pair) => parseInt(pair, 16));
  }

  function parseBase64(text) {
    try {
      return fromBase64(text.replace(/\\s/g, ''));
    } catch {
      throw new Error('not base64: "' + text + '"');
    }
  }

  function setState(state, text) {
    stateEl.dataset.state = state;
    stateEl.textContent = text;
    sendButton.disabled = state !== 'open';
    closeButton.disabled = state !== 'open';
    reconnectButton.hidden = state !== 'closed';
  }

  /** What the server sends this page: who it is, then every message in an envelope naming its sender. */
  function received(data) {
    if (typeof data !== 'string') {
      log('in', binaryText(new Uint8Array(data)), 'server');
      return;
    }
    let envelope = null;
    try {
      envelope = JSON.parse(data);
    } catch {}
    if (!envelope || typeof envelope !== 'object' || typeof envelope.wsprobe !== 'string') {
      log('in', data, 'server');
    } else if (envelope.wsprobe === 'you' && Number.isInteger(envelope.id)) {
      meEl.textContent = 'you are #' + envelope.id;
      document.title = 'wsprobe console #' + envelope.id;
    } else if (envelope.wsprobe === 'message') {
      const who = Number.isInteger(envelope.from) ? '#' + envelope.from : 'server';
      const text = envelope.type === 'binary' ? binaryText(fromBase64(String(envelope.data))) : String(envelope.data);
      log('in', text, who);
    }
  }

  function connect() {
    setState('connecting', 'connecting…');
    meEl.textContent = '';
    ws = new WebSocket(url, protocols);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      setState('open', ws.protocol ? 'connected (' + ws.protocol + ')' : 'connected');
      log('sys', 'connected to ' + url + (ws.extensions ? ' (' + ws.extensions + ')' : ''));
      input.focus();
    };
    ws.onmessage = (e) => received(e.data);
    ws.onclose = (e) => {
      const text = 'closed ' + e.code + (e.reason ? ' "' + e.reason + '"' : '') + (e.wasClean ? '' : ', not clean');
      setState('closed', text);
      log('sys', text);
    };
  }

  function sendText(text) {
    ws.send(text);
    log('out', text, 'you');
  }

  function sendBinary(bytes) {
    ws.send(bytes);
    log('out', binaryText(bytes), 'you');
  }

  /** A browser may close with 1000 or 3000–4999, and a reason of at most 123 bytes. */
  function closeWith(codeText, reason) {
    const code = codeText.trim() === '' ? 1000 : Number(codeText);
    if (!Number.isInteger(code) || (code !== 1000 && (code < 3000 || code > 4999))) {
      throw new Error('a page can close with 1000 or 3000–4999, not "' + codeText + '"');
    }
    if (new TextEncoder().encode(reason).length > 123) throw new Error('a close reason is at most 123 bytes');
    ws.close(code, reason);
    setState('closing', 'closing…');
  }

  const HELP = 'text is sent as typed; /hex 00 ff, /base64 AAH/, /text …, /close [code] [reason], // for a text starting with /';

  /** A line from the input: text (or hex, in hex mode), or one of the page's slash commands. */
  function submit(line) {
    if (line.startsWith('//')) return sendText(line.slice(1));
    if (line.startsWith('/')) {
      const match = /^\\/(\\S*)(?:\\s([\\s\\S]*))?$/.exec(line);
      const name = match[1].toLowerCase();
      const arg = match[2] || '';
      if (name === 'hex') return sendBinary(parseHex(arg));
      if (name === 'base64') return sendBinary(parseBase64(arg));
      if (name === 'text') return sendText(arg);
      if (name === 'close') {
        const close = /^\\s*(\\S*)\\s*([\\s\\S]*)$/.exec(arg);
        return closeWith(close[1], close[2]);
      }
      if (name === 'help') return log('sys', HELP);
      throw new Error('unknown command "/' + name + '": ' + HELP);
    }
    if (modeEl.value === 'hex') return sendBinary(parseHex(line));
    sendText(line);
  }

  function attempt(action) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    try {
      action();
      return true;
    } catch (err) {
      log('sys', err.message, '', true);
      return false;
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (attempt(() => submit(input.value))) input.value = '';
    input.focus();
  });
  modeEl.addEventListener('change', () => {
    input.placeholder = modeEl.value === 'hex' ? 'hex bytes, e.g. 00 ff 0a' : 'message (or /hex 00ff, /close 4000 bye)';
    input.focus();
  });
  closeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    attempt(() => closeWith(codeEl.value, reasonEl.value));
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
<header><h1>wsprobe console</h1><span id="me"></span><span id="url"></span><span id="state" data-state="connecting">connecting…</span></header>
<div id="log" role="log" aria-live="polite"></div>
<form id="send-form" autocomplete="off">
<select id="mode" aria-label="send as"><option value="text" selected>text</option><option value="hex">hex</option></select>
<input id="message" placeholder="message (or /hex 00ff, /close 4000 bye)" aria-label="message">
<button id="send" type="submit" disabled>Send</button>
<button id="reconnect" type="button" hidden>Reconnect</button>
</form>
<form id="close-form" autocomplete="off">
<label for="close-code">close code</label><input id="close-code" value="1000" inputmode="numeric" aria-label="close code">
<input id="close-reason" placeholder="reason" aria-label="close reason">
<button id="close" type="submit" disabled>Close</button>
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
