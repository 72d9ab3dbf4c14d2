import { EXIT, type Context } from '../context';
import { printResult } from '../output';
import { resolveApiUrl } from '../runtime-file';
import { authenticatedApi } from '../session';
import { onboardingPath } from './onboard';

/** Asks an open onboarding to stop; it undoes what it did (compensation) and ends CANCELLED. */
export async function cancel(
  ctx: Context,
  id: string,
  options: { reason: string; json?: boolean; api?: string },
): Promise<number> {
  const api = await authenticatedApi(ctx, await resolveApiUrl(ctx, options.api));
  const { body } = await api.call('POST', `${onboardingPath(id)}/cancel`, { body: { reason: options.reason } });
  printResult(ctx, options, body, () => [
    `Cancellation of onboarding ${id} requested; it undoes its steps and ends CANCELLED.`,
    `  follow with: gangway status ${id}`,
  ]);
  return EXIT.ok;
}
