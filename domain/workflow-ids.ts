/** Workflow ids come from the business, so that a second start for the same thing is the same workflow. */

/** One open onboarding per tenant: a second start is refused by Temporal's id conflict policy. */
export const onboardingWorkflowId = (partnerProvidedId: string) => `onboarding-${partnerProvidedId}`;

/** One offboarding per tenant at a time, named like its onboardings. */
export const offboardingWorkflowId = (partnerProvidedId: string) => `offboarding-${partnerProvidedId}`;

/** One reconnect per lost connection: the attempt it starts at names it, so starting it twice starts it once. */
export const reconnectWorkflowId = (input: {
  onboardingId: string;
  client: { partnerProvidedId: string };
  firstAttempt: number;
}) => `reconnect-${input.onboardingId}-${input.client.partnerProvidedId}-${input.firstAttempt}`;

/** One re-verification schedule per installation (task queue). */
export const reverifyScheduleId = (taskQueue: string) => `reverify-connectivity-${taskQueue}`;
/** The schedule that delivers stored credential submissions whose signal was lost. */
export const reconcileSubmissionsScheduleId = (taskQueue: string) => `reconcile-submissions-${taskQueue}`;
export const housekeepingScheduleId = (taskQueue: string) => `housekeeping-${taskQueue}`;
