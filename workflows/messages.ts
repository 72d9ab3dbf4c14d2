import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalView, DecideApprovalInput, OnboardingView, Proven, ReassignApprovalInput } from '../domain';

/**
 * Messages of the onboarding workflow, defined once and imported by the API, the CLI and tests. Each one
 * that changes the onboarding carries the API's proof (domain/message-proof.ts); without it, it is refused.
 */

export const decideApprovalUpdate = defineUpdate<ApprovalView, [Proven<DecideApprovalInput>]>('decideApproval');
/** An admin gives the task to another approver; the delegate, if any, is dropped. */
export const reassignApprovalUpdate = defineUpdate<ApprovalView, [Proven<ReassignApprovalInput>]>('reassignApproval');
/** The assigned approver lets another approver decide in their place; they may still decide themselves. */
export const delegateApprovalUpdate = defineUpdate<ApprovalView, [Proven<ReassignApprovalInput>]>('delegateApproval');

/** The collector stored the submission; the workflow receives only a reference to it, never the secret. */
export interface CredentialsSubmittedInput {
  clientId: string;
  attempt: number;
  collectorLinkId: string;
}
export const credentialsSubmittedSignal = defineSignal<[Proven<CredentialsSubmittedInput>]>('credentialsSubmitted');

export interface CancelInput {
  reason: string;
  requestedBy: string;
}
export const cancelSignal = defineSignal<[Proven<CancelInput>]>('cancel');

export const getOnboardingQuery = defineQuery<OnboardingView>('getOnboarding');
