import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalView, Decision, OnboardingView, SubscriptionCode } from './types';

/** Messages of the onboarding workflow, defined once and imported by the API, the CLI and tests. */

export interface DecideApprovalInput {
  subscription: SubscriptionCode;
  decision: Decision;
  comment?: string;
  /** The authenticated approver's email, established by the API from the access token. */
  decidedBy: string;
}
export const decideApprovalUpdate = defineUpdate<ApprovalView, [DecideApprovalInput]>('decideApproval');

/** Hands one subscription's task to someone else; `requestedBy` is established by the API from the token. */
export interface ReassignApprovalInput { subscription: SubscriptionCode; to: string; reason: string; requestedBy: string }
/** An admin gives the task to another approver; the delegate, if any, is dropped. */
export const reassignApprovalUpdate = defineUpdate<ApprovalView, [ReassignApprovalInput]>('reassignApproval');
/** The assigned approver lets another approver decide in their place; they may still decide themselves. */
export const delegateApprovalUpdate = defineUpdate<ApprovalView, [ReassignApprovalInput]>('delegateApproval');

/** The collector stored the submission; the workflow receives only a reference to it, never the secret. */
export interface CredentialsSubmittedInput { clientId: string; attempt: number; collectorLinkId: string }
export const credentialsSubmittedSignal = defineSignal<[CredentialsSubmittedInput]>('credentialsSubmitted');

export interface CancelInput { reason: string; requestedBy: string }
export const cancelSignal = defineSignal<[CancelInput]>('cancel');

export const getOnboardingQuery = defineQuery<OnboardingView>('getOnboarding');

/** Failure types a validator raises; the API maps them to HTTP statuses. */
export const DECISION_REFUSED = {
  unknownSubscription: 'UNKNOWN_SUBSCRIPTION',
  notAssigned: 'NOT_ASSIGNED_APPROVER',
  ownOnboarding: 'OWN_ONBOARDING',
  alreadyDecided: 'ALREADY_DECIDED',
  notAwaitingApproval: 'NOT_AWAITING_APPROVAL',
  invalidAssignee: 'INVALID_ASSIGNEE',
} as const;

export const onboardingWorkflowId = (partnerProvidedId: string) => `onboarding-${partnerProvidedId}`;
