/**
 * Reading what clients send to Slack. @slack/web-api posts
 * `application/x-www-form-urlencoded` with objects (blocks, view…) JSON-encoded
 * as strings; other clients post JSON with the token in `Authorization`.
 * Bolt's respond() posts JSON to response_urls.
 */
import type { IncomingMessage } from 'node:http';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Arguments Slack decodes from JSON when they arrive as form strings. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls']);

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    // Slack then reports the field as malformed (e.g. invalid_blocks_format).
    return s;
  }
}

/** Web API arguments from a form or JSON body plus the query string. */
export function parseApiArgs(contentType: string | undefined, raw: string, query: URLSearchParams): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [k, v] of query) args[k] = v;
  if (contentType?.includes('application/json')) {
    const parsed = tryJson(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) Object.assign(args, parsed);
    return args;
  }
  for (const [k, v] of new URLSearchParams(raw)) {
    const trimmed = v.trimStart();
    args[k] = JSON_FIELDS.has(k) && (trimmed.startsWith('[') || trimmed.startsWith('{')) ? tryJson(v) : v;
  }
  return args;
}

/** A response_url body: JSON, or a form with a JSON `payload` (as older clients send). */
export function parseResponseUrlBody(contentType: string | undefined, raw: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(raw).get('payload');
    parsed = payload === null ? undefined : tryJson(payload);
  } else {
    parsed = tryJson(raw);
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}
