import { EXIT, type Context } from '../context';
import { printResult } from '../output';
import { resolveApiUrl } from '../runtime-file';
import { authenticatedApi } from '../session';
import { onboardingPath } from './onboard';

/** Sends a FAILED client a fresh collector link and runs its portal checks again. */
export async function retryClient(
  ctx: Context,
  id: string,
  client: string,
  options: { json?: boolean; api?: string },
): Promise<number> {
  const api = await authenticatedApi(ctx, await resolveApiUrl(ctx, options.api));
  const { body } = await api.call('POST', `${onboardingPath(id)}/clients/${encodeURIComponent(client)}/retry`);
  printResult(ctx, options, body, () => [
    `Client ${client} gets a fresh collector link and is verified again.`,
    `  follow with: gangway status ${id}`,
  ]);
  return EXIT.ok;
}
