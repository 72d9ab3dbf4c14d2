import type { OnboardingView } from '../../domain';
import { EXIT, type Context } from '../context';
import { printResult, queryString } from '../output';
import { resolveApiUrl } from '../runtime-file';
import { authenticatedApi } from '../session';

export interface ListOptions {
  status?: string;
  tenant?: string;
  q?: string;
  startedBy?: string;
  approver?: string;
  subscription?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
  json?: boolean;
  api?: string;
}

interface Page {
  items: OnboardingView[];
  nextCursor: string | null;
}

/** One page of onboardings, newest first, filtered as GET /v1/onboardings filters. */
export async function list(ctx: Context, options: ListOptions): Promise<number> {
  const api = await authenticatedApi(ctx, await resolveApiUrl(ctx, options.api));
  const query = queryString({
    status: options.status?.toUpperCase(),
    tenant: options.tenant,
    q: options.q,
    startedBy: options.startedBy,
    approver: options.approver,
    subscription: options.subscription?.toUpperCase(),
    createdFrom: options.from,
    createdTo: options.to,
    limit: options.limit,
    cursor: options.cursor,
  });
  const { body: page } = await api.call<Page>('GET', `/v1/onboardings${query}`);
  printResult(ctx, options, page, () => [
    ...(page.items.length === 0 ? ['no onboardings match'] : []),
    ...page.items.map((o) =>
      [o.id, o.status.padEnd(22), o.tenant.partnerProvidedId, o.tenant.name, o.createdAt].join('  '),
    ),
    ...(page.nextCursor ? [`more: gangway list --cursor ${page.nextCursor}`] : []),
  ]);
  return EXIT.ok;
}
