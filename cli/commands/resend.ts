import { CliError, EXIT, type Context } from '../context';
import { printResult } from '../output';
import { resolveApiUrl } from '../runtime-file';
import { authenticatedApi } from '../session';
import { onboardingPath } from './onboard';

export const RESEND_KINDS = ['COLLECTOR', 'KIT', 'SET_PASSWORD', 'APPROVAL_REQUEST'] as const;

/** Mails a fresh link of one kind; the previous link of that kind stops working. */
export async function resend(
  ctx: Context,
  id: string,
  options: { kind: string; client?: string; json?: boolean; api?: string },
): Promise<number> {
  const kind = options.kind.toUpperCase();
  if (kind === 'COLLECTOR' && !options.client)
    throw new CliError('a collector link belongs to one client: pass --client PARTNER_PROVIDED_ID');
  const api = await authenticatedApi(ctx, await resolveApiUrl(ctx, options.api));
  const { body } = await api.call('POST', `${onboardingPath(id)}/resend`, {
    body: { kind, ...(options.client ? { client: options.client } : {}) },
  });
  printResult(ctx, options, body, () => [
    `A fresh ${kind} link${options.client ? ` for ${options.client}` : ''} is being mailed; the previous one no longer works.`,
  ]);
  return EXIT.ok;
}
