import { EXIT, type Context } from '../context';
import { printResult } from '../output';
import { resolveApiUrl } from '../runtime-file';
import { authenticatedApi } from '../session';
import { onboardingPath } from './onboard';

interface AuditTrail {
  items: {
    occurredAt: string;
    actor: string | null;
    action: string;
    subscription: string | null;
    reason: string | null;
  }[];
}

/** Who did what to an onboarding, oldest first. */
export async function audit(ctx: Context, id: string, options: { json?: boolean; api?: string }): Promise<number> {
  const api = await authenticatedApi(ctx, await resolveApiUrl(ctx, options.api));
  const { body } = await api.call<AuditTrail>('GET', `${onboardingPath(id)}/audit`);
  printResult(ctx, options, body, () =>
    body.items.length === 0
      ? ['nothing recorded yet']
      : body.items.map((e) =>
          [e.occurredAt, e.actor ?? 'gangway', e.action, e.subscription ?? '', e.reason ? `“${e.reason}”` : '']
            .filter(Boolean)
            .join('  '),
        ),
  );
  return EXIT.ok;
}
