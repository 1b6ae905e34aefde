import type { App, ReceiverEvent } from '@slack/bolt';
import { screenSlackRequest, type Surface } from '../core/slackIntake.js';
import type { AppDeps } from '../deps.js';
import { slackRequestsScreened } from '../metrics/registry.js';
import { intakeText, noticeModal } from '../ui/intake.js';

/** Slack waits 3 s for an answer; what is not answered by then is answered empty, with time to travel. */
export const ACK_DEADLINE_MS = 2500;
/**
 * How long a delivery's key is kept. Slack re-sends an event at once, after 1 and after
 * 5 minutes, and a signed request is accepted for 5 minutes either side of its timestamp.
 */
export const DELIVERY_MEMORY_MS = 20 * 60_000;
const PURGE_EVERY_MS = 60_000;

type ProcessEvent = (event: ReceiverEvent) => Promise<void>;

/**
 * Every Slack request, over HTTP or Socket Mode, passes here before Bolt
 * (both receivers hand each one to `app.processEvent`):
 *
 * - a body of no known shape is answered plainly and goes no further (Bolt would
 *   throw on it before any listener, and nobody would answer);
 * - a request from another workspace than the installed one is refused;
 * - a delivery already taken on any replica (an event's `event_id`, an interaction's
 *   `trigger_id`: Slack's retries and exact replays) is answered and dropped;
 * - whatever no listener answers, or answers too late, is answered by the deadline:
 *   the private "no longer active" notice where there is a person to tell.
 */
export class SlackIntake {
  private installedTeamId: string | undefined;
  private lastPurge = 0;
  private readonly log;

  constructor(private readonly deps: AppDeps) {
    this.log = deps.logger.child({ component: 'slack-intake' });
  }

  /** The workspace the bot token belongs to (auth.test); requests from any other are refused. */
  async learnInstalledTeam(app: App): Promise<void> {
    const auth = await app.client.auth.test();
    this.installedTeamId = typeof auth.team_id === 'string' && auth.team_id ? auth.team_id : undefined;
    if (!this.installedTeamId) this.log.error('auth.test named no workspace: every Slack request will be refused');
  }

  /** Puts the intake in front of Bolt's own processing. */
  mount(app: App): void {
    const next: ProcessEvent = app.processEvent.bind(app);
    app.processEvent = (event) => this.process(event, next);
  }

  private async process(event: ReceiverEvent, next: ProcessEvent): Promise<void> {
    const retry = event.retryNum !== undefined ? { retryNum: event.retryNum, retryReason: event.retryReason } : {};
    const answer = new OneAnswer(event.ack, ACK_DEADLINE_MS, () => {
      slackRequestsScreened.inc({ outcome: 'deadline' });
      this.log.warn(retry, `a Slack request was not answered within ${ACK_DEADLINE_MS} ms: answered empty`);
    });
    try {
      const verdict = screenSlackRequest(event.body, { installedTeamId: this.installedTeamId });
      if (verdict.kind === 'junk') {
        slackRequestsScreened.inc({ outcome: 'junk' });
        this.log.warn({ reason: verdict.reason, ...retry }, 'a Slack request of no shape the bot knows: answered, nothing done');
        await answer.ack();
        return;
      }
      if (verdict.kind === 'foreign') {
        slackRequestsScreened.inc({ outcome: 'foreign' });
        this.log.warn({ team: verdict.teamId, installed: this.installedTeamId }, 'a Slack request from another workspace: refused');
        await this.tell(answer, verdict.surface, intakeText.otherWorkspace);
        await this.deps.store.audit
          .record(
            { actor: verdict.userId ?? 'unknown', action: 'slack:request', outcome: 'refused:other-workspace', detail: { team: verdict.teamId } },
            this.deps.now(),
          )
          .catch((e: unknown) => this.log.error({ err: e }, 'could not audit a refused request'));
        return;
      }
      if (verdict.key !== null && !(await this.claim(verdict.key))) {
        slackRequestsScreened.inc({ outcome: 'duplicate' });
        this.log.info({ key: verdict.key, ...retry }, 'a Slack delivery already taken (a retry or a replay): answered, nothing done');
        await answer.ack();
        return;
      }
      await next({ ...event, ack: answer.ack });
      if (!answer.done) {
        slackRequestsScreened.inc({ outcome: 'unhandled' });
        this.log.info({ surface: verdict.surface.kind }, 'a Slack request no listener answered: told it is no longer active');
        await this.tell(
          answer,
          verdict.surface,
          verdict.surface.kind === 'command'
            ? intakeText.unknownCommand(verdict.surface.command)
            : verdict.surface.kind === 'view'
              ? intakeText.staleView
              : intakeText.staleInteraction,
        );
      }
    } catch (e) {
      this.log.error({ err: e }, 'a Slack request failed before a listener answered it');
      if (!answer.done) await answer.ack().catch(() => undefined);
    } finally {
      answer.settle();
    }
  }

  /** True when this replica is the first to see `key`. A store that fails lets the request through: listeners guard their own writes. */
  private async claim(key: string): Promise<boolean> {
    const now = this.deps.now();
    try {
      const first = await this.deps.store.slackDeliveries.claim(key, now);
      if (now.getTime() - this.lastPurge >= PURGE_EVERY_MS) {
        this.lastPurge = now.getTime();
        this.deps.store.slackDeliveries
          .purgeBefore(new Date(now.getTime() - DELIVERY_MEMORY_MS))
          .catch((e: unknown) => this.log.error({ err: e }, 'could not purge old Slack delivery keys'));
      }
      return first;
    } catch (e) {
      this.log.error({ err: e, key }, 'could not record a Slack delivery: handled without the duplicate check');
      return true;
    }
  }

  /** Answers the request and, where there is a person, says `message` privately. */
  private async tell(answer: OneAnswer, surface: Surface, message: string): Promise<void> {
    const safe = this.deps.sanitizer.scrub(message);
    if (surface.kind === 'command') return answer.ack({ response_type: 'ephemeral', text: safe });
    if (surface.kind === 'view') return answer.ack({ response_action: 'update', view: noticeModal(safe) });
    await answer.ack();
    if (surface.kind !== 'message') return;
    try {
      const res = await fetch(surface.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: safe }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) this.log.warn({ status: res.status }, 'the response_url refused a notice');
    } catch (e) {
      this.log.warn({ err: e }, 'could not send a notice to a response_url');
    }
  }
}

/**
 * The one answer a request gets: the first ack wins, later ones are dropped (Bolt
 * would throw on a second), and at the deadline an empty one is sent.
 */
class OneAnswer {
  done = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly inner: ReceiverEvent['ack'],
    deadlineMs: number,
    onDeadline: () => void,
  ) {
    this.timer = setTimeout(() => {
      if (this.done) return;
      onDeadline();
      this.ack().catch(() => undefined);
    }, deadlineMs);
  }

  readonly ack = async (response?: unknown): Promise<void> => {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    await this.inner(response as never);
  };

  /** Processing ended: no deadline answer is needed any more (an unanswered request was answered above). */
  settle(): void {
    clearTimeout(this.timer);
  }
}
