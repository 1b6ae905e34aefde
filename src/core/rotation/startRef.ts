import { z } from 'zod';

/**
 * What a "Start rotation" button carries (reminders, leak warnings): the repo and the
 * secret, nothing else. The click is checked again like `/rotate` (access, config),
 * so the value is only a pointer, never a permission.
 */
export const StartRef = z.object({
  repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/),
  secret: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
});
export type StartRef = z.infer<typeof StartRef>;

/** `owner/name:SECRET`: short, and neither part can contain a colon. */
export function encodeStartRef(ref: StartRef): string {
  return `${ref.repo}:${ref.secret}`;
}

/** The button value back; null for anything that is not one (an old or forged click). */
export function parseStartRef(value: string | undefined): StartRef | null {
  if (!value) return null;
  const i = value.lastIndexOf(':');
  const parsed = StartRef.safeParse({ repo: value.slice(0, i), secret: value.slice(i + 1) });
  return i > 0 && parsed.success ? parsed.data : null;
}
