import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../world.js';
import { getState, POST_ROUTES, type ApiAnswer, type ApiContext } from './api.js';
import { loadCommands } from './commands.js';

/**
 * The sandbox page's small HTTP server, on 127.0.0.1 only: the page itself (static
 * files, no build step, nothing loaded from elsewhere) and the JSON API it polls.
 *
 * Loopback is not enough on its own: a web page elsewhere could point a DNS name at
 * 127.0.0.1, or post a form here. So the Host header must name this server, and a
 * POST must be JSON (which a cross-site form cannot send) from no or this origin.
 */

export interface SandboxUi {
  url: string;
  stop(): Promise<void>;
}

export interface SandboxUiOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
}

const MAX_BODY = 64 * 1024;

const asset = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

interface Asset {
  type: string;
  body: string;
}

/** The page and its stylesheet, read once; the inline script is allowed by its hash, nothing else runs. */
function loadAssets(): { files: Map<string, Asset>; csp: string } {
  const html = asset('page.html');
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
  const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
  const csp = [
    "default-src 'none'",
    `script-src ${hashes.join(' ') || "'none'"}`,
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const files = new Map<string, Asset>([
    ['/', { type: 'text/html; charset=utf-8', body: html }],
    ['/page.css', { type: 'text/css; charset=utf-8', body: asset('page.css') }],
  ]);
  return { files, csp };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'send the body as application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new HttpError(413, `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...extra,
  });
  res.end(body);
}

const sendJson = (res: ServerResponse, a: ApiAnswer) => send(res, a.status, 'application/json; charset=utf-8', JSON.stringify(a.body));
const sendError = (res: ServerResponse, status: number, error: string) => sendJson(res, { status, body: { ok: false, error } });

export async function startSandboxUi(sandbox: Sandbox, o: SandboxUiOptions = {}): Promise<SandboxUi> {
  const { files, csp } = loadAssets();
  const ctx: ApiContext = { commands: loadCommands() };
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([...allowedHosts()].map((h) => `http://${h}`));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().has((req.headers.host ?? '').toLowerCase())) return sendError(res, 403, 'unexpected Host header');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const file = files.get(url.pathname);
    if (file) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'GET only');
      return send(res, 200, file.type, file.body, url.pathname === '/' ? { 'content-security-policy': csp, 'x-frame-options': 'DENY' } : {});
    }
    if (url.pathname === '/api/state') {
      if (req.method !== 'GET') return sendError(res, 405, 'GET only');
      return sendJson(res, getState(sandbox, url.searchParams, ctx));
    }
    const route = POST_ROUTES[url.pathname];
    if (!route) return sendError(res, 404, 'not found');
    if (req.method !== 'POST') return sendError(res, 405, 'POST only');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin.toLowerCase())) return sendError(res, 403, 'unexpected Origin');
    const body = await readJson(req);
    return sendJson(res, await route(sandbox, body, ctx));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Whatever a request does, it gets an answer and the sandbox keeps running.
      if (res.headersSent) return res.destroy();
      if (e instanceof HttpError) return sendError(res, e.status, e.message);
      sendError(res, 500, `the sandbox failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
