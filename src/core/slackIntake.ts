import { z } from 'zod';

/**
 * What the bot makes of a Slack request body before Bolt sees it. Bolt reads paths
 * like `body.user.id`, `body.actions[0]`, `body.view.callback_id` and
 * `body.event.channel.creator` without checking them, so a body of the wrong shape
 * throws inside Bolt before any listener runs and nobody answers Slack. Here a body
 * is matched to the kind Bolt would take it for (in Bolt's own order, see
 * helpers.getTypeAndConversation) and checked for exactly the paths Bolt and our
 * listeners read; everything else may be anything.
 *
 * Pure: no I/O. The wiring (src/slack/intake.ts) acts on the verdict.
 */

/** Slack ids (users, teams, channels, enterprises): upper-case letters and digits. */
const SlackId = z.string().regex(/^[A-Z0-9]{2,40}$/);
const HttpUrl = z
  .string()
  .max(2000)
  .regex(/^https?:\/\/[^\s]+$/);
/** trigger_id, event_id, action_ts: short printable strings. */
const Token = z.string().regex(/^[\x21-\x7e]{1,200}$/);

const User = z.looseObject({ id: SlackId, team_id: SlackId.optional() });
/** `team` is null for an org-wide install; then Bolt reads `user.team_id`. */
const Team = z.looseObject({ id: SlackId, enterprise_id: SlackId.optional() }).nullable();
const Enterprise = z.looseObject({ id: SlackId }).nullable();
const Channel = z.looseObject({ id: SlackId });

const interaction = {
  user: User,
  team: Team.optional(),
  enterprise: Enterprise.optional(),
  channel: Channel.optional(),
  response_url: HttpUrl.optional(),
  response_urls: z.array(z.looseObject({ response_url: HttpUrl })).optional(),
  trigger_id: Token.optional(),
  is_enterprise_install: z.boolean().optional(),
};

const Command = z.looseObject({
  command: z.string().regex(/^\/[a-z0-9_.-]{1,64}$/i),
  text: z.string().max(20_000),
  team_id: SlackId,
  enterprise_id: SlackId.optional(),
  user_id: SlackId,
  channel_id: SlackId,
  response_url: HttpUrl,
  trigger_id: Token,
  is_enterprise_install: z.enum(['true', 'false']).optional(),
});

const EventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: SlackId,
  event_id: Token,
  authorizations: z
    .array(
      z.looseObject({ team_id: SlackId.nullable().optional(), enterprise_id: SlackId.nullable().optional(), is_enterprise_install: z.boolean().optional() }),
    )
    .optional(),
  event: z.looseObject({
    type: z.string().regex(/^[a-z][a-z0-9_.]{0,80}$/),
    user: z.union([SlackId, z.looseObject({ id: SlackId })]).optional(),
    channel: z.union([SlackId, z.looseObject({ id: SlackId.optional(), creator: z.string().optional() })]).optional(),
    channel_id: SlackId.optional(),
    item: z.looseObject({}).optional(),
    subteam: z.looseObject({}).optional(),
  }),
});

const Action = z.looseObject({
  action_id: z.string().min(1).max(255),
  block_id: z.string().max(255).optional(),
  type: z.string(),
  action_ts: Token.optional(),
  value: z.string().optional(),
});
const BlockActions = z.looseObject({ ...interaction, type: z.literal('block_actions'), actions: z.array(Action).min(1), container: z.looseObject({}) });
/** Legacy attachment buttons and dialogs: the bot posts none, but Slack may still send one. */
const LegacyAction = z.looseObject({
  ...interaction,
  type: z.enum(['interactive_message', 'dialog_submission', 'dialog_cancellation']),
  callback_id: z.string(),
  actions: z.array(z.looseObject({})).optional(),
});
const Options = z.looseObject({ ...interaction, type: z.string().optional() });
const Shortcut = z.looseObject({ ...interaction, type: z.enum(['shortcut', 'message_action']), callback_id: z.string() });
const ViewAction = z.looseObject({
  ...interaction,
  type: z.enum(['view_submission', 'view_closed']),
  view: z.looseObject({
    id: z.string(),
    callback_id: z.string(),
    private_metadata: z.string().optional(),
    app_installed_team_id: SlackId.optional(),
    state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.looseObject({}))) }).optional(),
  }),
});

/** How to answer when no listener does: Slack needs an answer, a person may need a word. */
export type Surface =
  /** A slash command: the ack carries an ephemeral message. */
  | { kind: 'command'; command: string }
  /** A modal submission: the ack replaces the modal with a notice. */
  | { kind: 'view' }
  /** A click or shortcut with a response_url: a bare ack, then an ephemeral message there. */
  | { kind: 'message'; responseUrl: string }
  /** Nobody to tell (an event, a closed modal, an options request): a bare ack. */
  | { kind: 'none' };

export type IntakeVerdict =
  /** Not a request of any kind the bot knows: answer plainly, do nothing. */
  | { kind: 'junk'; reason: string }
  /** Well-formed, from a workspace other than the one the bot is installed in: refuse. */
  | { kind: 'foreign'; teamId: string | null; userId: string | null; surface: Surface }
  /**
   * For Bolt. `key` names the delivery (an event's event_id, an interaction's
   * trigger_id): a second request with the same key is a redelivery or a replay.
   */
  | { kind: 'accept'; key: string | null; userId: string | null; surface: Surface };

type Parsed = { teamId: string | null; userId: string | null; key: string | null; surface: Surface };

function surfaceOf(b: { response_url?: string | undefined }): Surface {
  return b.response_url ? { kind: 'message', responseUrl: b.response_url } : { kind: 'none' };
}

function interactionTeam(b: { team?: { id: string } | null | undefined; user: { team_id?: string | undefined } }): string | null {
  return b.team?.id ?? b.user.team_id ?? null;
}

function issue(e: z.ZodError): string {
  const first = e.issues[0];
  return first ? `${first.path.join('.') || '(body)'}: ${first.message}` : 'invalid';
}

/** Matches the body to the kind Bolt will take it for, in Bolt's order, and checks that kind's shape. */
function parse(body: Record<string, unknown>): Parsed | { junk: string } {
  const check = <T>(schema: z.ZodType<T>, then: (v: T) => Parsed): Parsed | { junk: string } => {
    const r = schema.safeParse(body);
    return r.success ? then(r.data) : { junk: issue(r.error) };
  };
  if (body.event !== undefined)
    return check(EventCallback, (b) => ({
      teamId: b.authorizations?.[0]?.team_id ?? b.team_id,
      userId: typeof b.event.user === 'string' ? b.event.user : (b.event.user?.id ?? null),
      key: `event:${b.event_id}`,
      surface: { kind: 'none' },
    }));
  if (body.command !== undefined)
    return check(Command, (b) => ({ teamId: b.team_id, userId: b.user_id, key: `trigger:${b.trigger_id}`, surface: { kind: 'command', command: b.command } }));
  if (body.name !== undefined || body.type === 'block_suggestion')
    return check(Options, (b) => ({ teamId: interactionTeam(b), userId: b.user.id, key: null, surface: { kind: 'none' } }));
  if (body.actions !== undefined || body.type === 'dialog_submission') {
    if (body.type === 'block_actions')
      return check(BlockActions, (b) => {
        const actionTs = b.actions[0]?.action_ts;
        const key = b.trigger_id ? `trigger:${b.trigger_id}` : actionTs ? `action:${b.user.id}:${actionTs}` : null;
        return { teamId: interactionTeam(b), userId: b.user.id, key, surface: surfaceOf(b) };
      });
    return check(LegacyAction, (b) => ({
      teamId: interactionTeam(b),
      userId: b.user.id,
      key: b.trigger_id ? `trigger:${b.trigger_id}` : null,
      surface: surfaceOf(b),
    }));
  }
  if (body.type === 'shortcut' || body.type === 'message_action')
    return check(Shortcut, (b) => ({
      teamId: interactionTeam(b),
      userId: b.user.id,
      key: b.trigger_id ? `trigger:${b.trigger_id}` : null,
      surface: surfaceOf(b),
    }));
  if (body.type === 'view_submission' || body.type === 'view_closed')
    return check(ViewAction, (b) => ({
      // A modal opened from a Slack Connect channel names the workspace the app is installed in.
      teamId: b.view.app_installed_team_id ?? interactionTeam(b),
      userId: b.user.id,
      key: b.type === 'view_submission' && b.trigger_id ? `trigger:${b.trigger_id}` : null,
      surface: b.type === 'view_submission' ? { kind: 'view' } : { kind: 'none' },
    }));
  return { junk: `no known request type (${typeof body.type === 'string' ? body.type.slice(0, 40) : typeof body.type})` };
}

/**
 * The verdict on one request body. `installedTeamId`: the workspace of the bot's
 * token (auth.test); unknown (undefined) refuses every request rather than act for
 * a workspace nobody checked.
 */
export function screenSlackRequest(body: unknown, o: { installedTeamId: string | undefined }): IntakeVerdict {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { kind: 'junk', reason: `the body is ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}` };
  const p = parse(body as Record<string, unknown>);
  if ('junk' in p) return { kind: 'junk', reason: p.junk };
  if (o.installedTeamId === undefined || p.teamId !== o.installedTeamId) return { kind: 'foreign', teamId: p.teamId, userId: p.userId, surface: p.surface };
  return { kind: 'accept', key: p.key, userId: p.userId, surface: p.surface };
}
