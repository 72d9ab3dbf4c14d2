import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AccessChangeView,
  AmendOnboardingInput,
  ApprovalView,
  DecideAccessChangeInput,
  WithdrawAccessChangeInput,
  DecideApprovalInput,
  OnboardingView,
  Proven,
  ReassignApprovalInput,
  ResendInput,
  RetryClientInput,
} from '../domain';

/**
 * Messages of the onboarding workflow, defined once and imported by the API, the CLI and tests. Each one
 * that changes the onboarding carries the API's proof (domain/message-proof.ts); without it, it is refused.
 */

export const decideApprovalUpdate = defineUpdate<ApprovalView, [Proven<DecideApprovalInput>]>('decideApproval');
/** An admin gives the task to another approver; the delegate, if any, is dropped. */
export const reassignApprovalUpdate = defineUpdate<ApprovalView, [Proven<ReassignApprovalInput>]>('reassignApproval');
/** The assigned approver lets another approver decide in their place; they may still decide themselves. */
export const delegateApprovalUpdate = defineUpdate<ApprovalView, [Proven<ReassignApprovalInput>]>('delegateApproval');

/** Staff resend a link of a running onboarding: the previous one of that kind stops working. */
export const resendLinkUpdate = defineUpdate<{ kind: string; resent: boolean }, [Proven<ResendInput>]>('resendLink');
/** Staff send a FAILED client through collection and verification again. */
export const retryClientUpdate = defineUpdate<OnboardingView, [Proven<RetryClientInput>]>('retryClient');
/** Staff change what has not happened yet: clients' details, the notification address or webhook. */
export const amendOnboardingUpdate = defineUpdate<OnboardingView, [Proven<AmendOnboardingInput>]>('amendOnboarding');

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

/** An approver decides a pending widening of an API user's invoice-data access (workflows/access-change.ts). */
export const decideAccessChangeUpdate = defineUpdate<AccessChangeView, [Proven<DecideAccessChangeInput>]>(
  'decideAccessChange',
);
/** The tenant's offboarding withdraws a widening still waiting for its approver (workflows/offboarding.ts). */
export const withdrawAccessChangeSignal = defineSignal<[Proven<WithdrawAccessChangeInput>]>('withdrawAccessChange');

export const getAccessChangeQuery = defineQuery<AccessChangeView>('getAccessChange');
