import type { IncomingMessage } from 'node:http';

export interface ReadBodyOptions {
  /** Sees every chunk as it arrives (e.g. a streaming HMAC), before it is kept. */
  onChunk?: (chunk: Buffer) => void;
  /** Called with the size read so far before a chunk is kept; false stops the read (answer: null). */
  admit?: (bytes: number) => boolean;
  /** The whole body must arrive within this long (a trickling sender holds no slot for ever). */
  timeoutMs?: number;
}

/** A body that did not arrive in time. */
export class BodyTimeoutError extends Error {
  constructor() {
    super('request body not received in time');
    this.name = 'BodyTimeoutError';
  }
}

/**
 * The request body, or null once it grows past `limit` bytes (or `admit` says no): the
 * rest is not read into memory. A declared `content-length` over the limit is refused
 * before a byte is read.
 */
export async function readBody(req: IncomingMessage, limit: number, o: ReadBodyOptions = {}): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = o.timeoutMs
    ? new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BodyTimeoutError()), o.timeoutMs);
        timer.unref();
      })
    : null;
  const read = (async () => {
    for await (const chunk of req) {
      const c = chunk as Buffer;
      size += c.length;
      if (size > limit || (o.admit && !o.admit(size))) return null;
      o.onChunk?.(c);
      chunks.push(c);
    }
    return Buffer.concat(chunks, size);
  })();
  // Once the race is lost the read may still fail (the caller closes the connection): that is expected.
  read.catch(() => undefined);
  try {
    return await (timedOut ? Promise.race([read, timedOut]) : read);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * Bounds the bodies read at once from unauthenticated senders: at most `maxReads`
 * reads, holding at most `maxBytes` between them (declared sizes are reserved up
 * front, undeclared ones as they grow). A request beyond either is refused at once
 * instead of queueing, so a flood costs little memory whatever its size.
 */
export class BodyBudget {
  private reads = 0;
  private bytes = 0;

  constructor(
    readonly maxReads: number,
    readonly maxBytes: number,
  ) {}

  /** A slot for one read, or null when none is free. `declared`: the request's content-length, if any. */
  take(declared: number | null): { admit: (bytes: number) => boolean; release: () => void } | null {
    const reserve = declared ?? 0;
    if (this.reads >= this.maxReads || this.bytes + reserve > this.maxBytes) return null;
    this.reads += 1;
    this.bytes += reserve;
    let held = reserve;
    let released = false;
    return {
      admit: (size) => {
        if (size <= held) return true;
        if (this.bytes + (size - held) > this.maxBytes) return false;
        this.bytes += size - held;
        held = size;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.reads -= 1;
        this.bytes -= held;
      },
    };
  }

  get inUse(): { reads: number; bytes: number } {
    return { reads: this.reads, bytes: this.bytes };
  }
}
