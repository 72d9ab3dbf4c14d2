import type { ApprovalView } from '../../domain';
import { EXIT, type Context } from '../context';
import { printResult } from '../output';
import { resolveApiUrl } from '../runtime-file';
import { authenticatedApi } from '../session';
import { onboardingPath } from './onboard';

export interface ApproveOptions {
  subscription: string;
  reject?: boolean;
  comment?: string;
  json?: boolean;
  api?: string;
}

/** Records the caller's decision on one subscription of an onboarding. */
export async function approve(ctx: Context, id: string, options: ApproveOptions): Promise<number> {
  const api = await authenticatedApi(ctx, await resolveApiUrl(ctx, options.api));
  const body = {
    subscription: options.subscription.trim().toUpperCase(),
    decision: options.reject ? 'REJECT' : 'APPROVE',
    ...(options.comment !== undefined ? { comment: options.comment } : {}),
  };
  const { body: approval } = await api.call<ApprovalView>('POST', `${onboardingPath(id)}/approvals`, { body });
  printResult(ctx, options, approval, () => [
    `${approval.subscription} ${approval.status}${approval.decidedBy ? ` by ${approval.decidedBy}` : ''}${approval.decidedAt ? ` at ${approval.decidedAt}` : ''}`,
    ...(approval.comment ? [`  comment: ${approval.comment}`] : []),
    `  follow with: gangway status ${id}`,
  ]);
  return EXIT.ok;
}
