import type { OnboardingView } from '../../domain';
import { EXIT, type Context } from '../context';
import { renderView } from '../format';
import { printResult } from '../output';
import { resolveApiUrl } from '../runtime-file';
import { authenticatedApi } from '../session';
import { onboardingPath } from './onboard';

export interface StatusOptions {
  json?: boolean;
  api?: string;
}

/** One onboarding, readable or as the API's JSON. */
export async function status(ctx: Context, id: string, options: StatusOptions): Promise<number> {
  const api = await authenticatedApi(ctx, await resolveApiUrl(ctx, options.api));
  const { body } = await api.call<OnboardingView>('GET', onboardingPath(id));
  printResult(ctx, options, body, () => renderView(body));
  return EXIT.ok;
}
