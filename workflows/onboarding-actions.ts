import { workflowInfo } from '@temporalio/workflow';
import { db, notify } from './activity-options';

export interface ResendFinishedInput {
  onboardingId: string;
  kind: 'KIT' | 'SET_PASSWORD';
  requestedBy: string;
  ttlMs: number;
}

/**
 * Resends the kit or its set-password link of a finished onboarding, whose own workflow is gone: the
 * mail is retried until it goes out after the API has answered, and the action joins the audit trail.
 * This workflow's id (one per request) keys both, so a retried step never sends or records twice.
 */
export async function resendFinishedLinkWorkflow(input: ResendFinishedInput): Promise<{ resent: boolean }> {
  const occasion = workflowInfo().workflowId;
  const args = { onboardingId: input.onboardingId, occasion, ttlMs: input.ttlMs };
  const { reissued } = input.kind === 'KIT' ? await notify.reissueKit(args) : await notify.reissuePasswordLink(args);
  await db.recordActionAudit({
    onboardingId: input.onboardingId,
    key: occasion,
    actor: input.requestedBy,
    action: 'RESENT',
    reason: `${input.kind} resent`,
    detail: { kind: input.kind, resent: reissued },
  });
  return { resent: reissued };
}
