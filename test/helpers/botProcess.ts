/**
 * The bot as its own process, the way an operator starts it: `node --import tsx src/main.ts` by default, or the
 * given entry (`scripts/start.mjs`, as `npm start` runs it). Only the given environment reaches it (plus PATH), so
 * nothing from the test runner's own environment leaks in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TSX_MAIN = ['--import', 'tsx', 'src/main.ts'];

/**
 * Node's arguments as `npm start` gives them (package.json scripts.start: `node [flags] scripts/start.mjs`), for
 * launching the bot the way it does without npm's own process in between (whose memory is not the bot's).
 */
export function npmStartArgs(): { flags: string[]; args: string[] } {
  const pkgFile = fileURLToPath(new URL('../../package.json', import.meta.url));
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'scripts/start.mjs') {
    throw new Error(`package.json's start script is not \`node [flags] scripts/start.mjs\`: ${pkg.scripts.start}`);
  }
  return { flags: words.slice(1, -1), args: words.slice(1) };
}

export interface SpawnedBot {
  child: ChildProcess;
  base: string;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves once `/readyz` answers 200 (every start-up credential check passed); throws with its output when it exits or the time runs out first. */
  ready(timeoutMs: number): Promise<void>;
}

export function spawnBot(o: { port: number; env: Record<string, string | undefined>; args?: string[] }): SpawnedBot {
  const child = spawn(process.execPath, o.args ?? TSX_MAIN, {
    env: { PATH: process.env.PATH, ...o.env, PORT: String(o.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${o.port}`;
  return {
    child,
    base,
    output: () => out,
    exited,
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      // /healthz answers as soon as the server listens; /readyz only once every credential was accepted.
      for (;;) {
        const status = await fetch(`${base}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) return;
        // 0: not listening yet; a listening bot that is not ready yet must say 503, nothing else.
        if (status !== 0 && status !== 503) throw new Error(`/readyz answered ${status} while starting:\n${out.slice(-4000)}`);
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`the bot exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${out.slice(-4000)}`);
        if (Date.now() > deadline) throw new Error(`the bot was not ready within ${timeoutMs} ms:\n${out.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
