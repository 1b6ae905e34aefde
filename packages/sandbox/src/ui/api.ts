import { z } from 'zod';
import { DELIVERY_MODES, SYNC_MODES } from '../controls.js';
import { SANDBOX_PEOPLE, type Sandbox } from '../world.js';
import { notACommand, type CommandInfo } from './commands.js';
import { sandboxState } from './state.js';

/**
 * The page's JSON API over the sandbox's driver (what Slack's client does for a
 * person) and controls (the simulated GitHub). Every body is parsed with zod; a
 * refusal from the driver or the controls is an answer (`ok: false`), not a failure.
 */

export type ApiAnswer = { status: number; body: unknown };

/** A sandbox person by Slack id or name (`alice`), as the id. */
const PersonId = z
  .string()
  .max(40)
  .transform((v, ctx) => {
    const p = SANDBOX_PEOPLE.find((x) => x.id === v || x.name === v);
    if (p) return p.id;
    ctx.addIssue({ code: 'custom', message: `one of ${SANDBOX_PEOPLE.map((x) => x.name).join(', ')} (or their ids)` });
    return z.NEVER;
  });
const Ts = z.string().regex(/^\d{1,12}\.\d{1,9}$/, 'a message ts such as 1700000000.000001');
const ViewId = z.string().regex(/^V[A-Z0-9]{1,30}$/, 'a view id such as V000000001');
const ActionId = z.string().min(1).max(255);

export const StateQuery = z.object({ user: PersonId });
export type StateQuery = z.infer<typeof StateQuery>;

export const CommandBody = z.object({ user: PersonId, text: z.string().min(1).max(4000) }).strict();
export type CommandBody = z.infer<typeof CommandBody>;

export const UserBody = z.object({ user: PersonId }).strict();

export const ClickBody = z
  .object({
    user: PersonId,
    messageTs: Ts.optional(),
    viewId: ViewId.optional(),
    actionId: ActionId,
    value: z.string().max(2000).optional(),
    blockId: z.string().min(1).max(255).optional(),
  })
  .strict()
  .refine((b) => (b.messageTs === undefined) !== (b.viewId === undefined), { message: 'exactly one of messageTs and viewId' });
export type ClickBody = z.infer<typeof ClickBody>;

export const SubmitBody = z
  .object({
    user: PersonId,
    viewId: ViewId,
    // block_id -> action_id -> what was typed (the page only has plain_text_input).
    values: z.record(z.string().min(1).max(255), z.record(ActionId, z.string().max(5000))),
  })
  .strict();
export type SubmitBody = z.infer<typeof SubmitBody>;

export const CloseBody = z.object({ user: PersonId, viewId: ViewId }).strict();
export type CloseBody = z.infer<typeof CloseBody>;

export const RunBody = z.object({ runId: z.number().int().positive() }).strict();
export type RunBody = z.infer<typeof RunBody>;

/** The same shape `GitHubControls.pushTag` accepts; `run: false` pushes the tag with no run following it. */
export const PushTagBody = z
  .object({ tag: z.string().regex(/^v\d+\.\d+\.\d+([a-z]+\d+)?$/, 'a version tag such as v0.1.0b40'), run: z.boolean().optional() })
  .strict();
export type PushTagBody = z.infer<typeof PushTagBody>;

export const SyncModeBody = z.object({ mode: z.enum(SYNC_MODES) }).strict();
export type SyncModeBody = z.infer<typeof SyncModeBody>;

export const DeliveriesBody = z.object({ mode: z.enum(DELIVERY_MODES) }).strict();

export const CreateTokenBody = z.object({ secret: z.enum(['GHE_TOKEN', 'PAT_TOKEN']) }).strict();
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

/** Only GHE_TOKEN has a seeded value (PAT_TOKEN's is not a token of the simulated hosts). */
export const OldTokenBody = z.object({ secret: z.literal('GHE_TOKEN') }).strict();

/** Zod's issues as one short line per problem, for the 400 answer. */
export function describeIssues(e: z.ZodError): string[] {
  return e.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
}

function parse<S extends z.ZodType>(schema: S, input: unknown): { ok: true; data: z.infer<S> } | { ok: false; answer: ApiAnswer } {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, data: r.data };
  return { ok: false, answer: { status: 400, body: { ok: false, error: 'invalid request', issues: describeIssues(r.error) } } };
}

const ok = (body: Record<string, unknown> = {}): ApiAnswer => ({ status: 200, body: { ok: true, ...body } });
const refused = (status: number, error: string): ApiAnswer => ({ status, body: { ok: false, error } });

const runExists = (s: Sandbox, runId: number) => s.github.runs(s.seed.github.repo).some((r) => r.id === runId);

/** What the server read once at start. */
export interface ApiContext {
  commands: CommandInfo[];
}

type Handler = (s: Sandbox, body: unknown, ctx: ApiContext) => Promise<ApiAnswer> | ApiAnswer;

/** POST routes: path -> handler of the parsed JSON body. */
export const POST_ROUTES: Record<string, Handler> = {
  '/api/command': async (s, body, ctx) => {
    const p = parse(CommandBody, body);
    if (!p.ok) return p.answer;
    const command = /^\s*(\/\S*)/.exec(p.data.text)?.[1]?.toLowerCase();
    if (command && !ctx.commands.some((c) => c.command === command)) return { status: 200, body: { ok: false, status: 0, error: notACommand(command) } };
    // Anything else is a plain message in the channel, as in Slack's composer (the bot hears it as a `message` event).
    if (!command) return driverAnswer(await s.driver.message(p.data.user, p.data.text));
    return driverAnswer(await s.driver.command(p.data.user, p.data.text));
  },
  '/api/home': async (s, body) => {
    const p = parse(UserBody, body);
    if (!p.ok) return p.answer;
    return driverAnswer(await s.driver.openHome(p.data.user));
  },
  '/api/click': async (s, body) => {
    const p = parse(ClickBody, body);
    if (!p.ok) return p.answer;
    const { user, messageTs, viewId, actionId, value, blockId } = p.data;
    return driverAnswer(
      await s.driver.click(user, {
        actionId,
        ...(messageTs !== undefined ? { messageTs } : {}),
        ...(viewId !== undefined ? { viewId } : {}),
        ...(value !== undefined ? { value } : {}),
        ...(blockId !== undefined ? { blockId } : {}),
      }),
    );
  },
  '/api/submit': async (s, body) => {
    const p = parse(SubmitBody, body);
    if (!p.ok) return p.answer;
    return driverAnswer(await s.driver.submit(p.data.user, p.data.viewId, p.data.values));
  },
  '/api/close': (s, body) => {
    const p = parse(CloseBody, body);
    if (!p.ok) return p.answer;
    if (!s.driver.modalIds(p.data.user).includes(p.data.viewId)) return refused(404, 'That modal is not open.');
    s.driver.close(p.data.user, p.data.viewId);
    return ok();
  },
  '/api/github/advance': (s, body) => {
    const p = parse(RunBody, body);
    if (!p.ok) return p.answer;
    if (!runExists(s, p.data.runId)) return refused(404, `There is no run ${p.data.runId}.`);
    return ok({ said: s.controls.advance(p.data.runId) });
  },
  '/api/github/fail': (s, body) => {
    const p = parse(RunBody, body);
    if (!p.ok) return p.answer;
    if (!runExists(s, p.data.runId)) return refused(404, `There is no run ${p.data.runId}.`);
    return ok({ said: s.controls.fail(p.data.runId) });
  },
  '/api/github/push-tag': (s, body) => {
    const p = parse(PushTagBody, body);
    if (!p.ok) return p.answer;
    if (s.github.state.repo(s.seed.github.repo).tags.has(p.data.tag)) return refused(409, `${p.data.tag} already exists.`);
    if (p.data.run === false) {
      s.controls.pushTagOnly(p.data.tag);
      return ok({ runId: null, said: `pushed ${p.data.tag}; no workflow runs for it (as a push made with GITHUB_TOKEN)` });
    }
    const runId = s.controls.pushTag(p.data.tag);
    return ok({ runId, said: `pushed ${p.data.tag}; publish.yml run ${runId} started` });
  },
  '/api/github/deliveries': (s, body) => {
    const p = parse(DeliveriesBody, body);
    if (!p.ok) return p.answer;
    s.controls.setDeliveries(p.data.mode);
    return ok({ deliveries: p.data.mode, said: `webhook deliveries: ${p.data.mode === 'drop' ? 'dropping some' : p.data.mode}` });
  },
  '/api/github/sync-mode': (s, body) => {
    const p = parse(SyncModeBody, body);
    if (!p.ok) return p.answer;
    s.controls.syncMode = p.data.mode;
    return ok({ syncMode: s.controls.syncMode });
  },
  '/api/github/create-token': (s, body) => {
    const p = parse(CreateTokenBody, body);
    if (!p.ok) return p.answer;
    // A token of the simulated host only: it is shown so the person can paste it, as they would copy one from GitHub.
    return ok({ secret: p.data.secret, token: s.controls.createToken(p.data.secret), fake: true });
  },
  '/api/github/old-token': (s, body) => {
    const p = parse(OldTokenBody, body);
    if (!p.ok) return p.answer;
    // Asked for by a click, never polled: the seeded (expired) value, to paste into the revoke step's modal.
    return ok({ secret: p.data.secret, token: s.controls.oldToken(p.data.secret), fake: true });
  },
};

export function getState(s: Sandbox, query: URLSearchParams, ctx: ApiContext): ApiAnswer {
  const p = parse(StateQuery, Object.fromEntries(query));
  if (!p.ok) return p.answer;
  return { status: 200, body: sandboxState(s, p.data.user, ctx.commands) };
}

function driverAnswer(r: Awaited<ReturnType<Sandbox['driver']['command']>>): ApiAnswer {
  return r.ok ? ok({ status: r.status, ...(r.note ? { note: r.note } : {}) }) : { status: 200, body: { ok: false, status: r.status, error: r.error } };
}
