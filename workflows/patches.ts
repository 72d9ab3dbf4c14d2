/**
 * Every patch id in use, one constant each, so that a change to running logic is found by name and
 * retired on purpose (docs/versioning.md): `patched(id)`, then `deprecatePatch(id)` once no running
 * execution predates it, then removal. The pre-release patches were retired before the first release,
 * and the recorded histories under test/fixtures/histories/ were recorded again.
 */
export const PATCHES = {
  /** Collector reminders to the client's contact and the stuck-client notice to staff (workflows/clients.ts). */
  collectorReminders: 'collector-reminders',
  /** The onboarding upserts its search attributes (OnboardingStatus, PartnerProvidedId, CurrentStep) as it moves. */
  searchAttributes: 'search-attributes',
  /**
   * The search attributes are upserted once the read model has caught up (workflows/projector.ts), at most
   * once per workflow task, rather than after every synchronous burst of changes (workflows/visibility.ts).
   * It implies `search-attributes`, which a run started with it does not record: the two retire together.
   */
  searchAttributesPerTask: 'search-attributes-per-task',
  /**
   * The read model's pending write rides in the input of the activity the workflow schedules next, which
   * writes it before its own work (workflows/projector.ts, `carrying`), instead of a local activity each.
   * It implies `search-attributes-per-task` (and so `search-attributes`), which a run started with it does
   * not record: the three retire together.
   */
  progressWithSteps: 'progress-with-steps',
  /** The offboarding withdraws the tenant's access changes still waiting for an approver (workflows/offboarding.ts). */
  offboardingWithdrawsAccessChanges: 'offboarding-withdraws-access-changes',
  /** Housekeeping removes the rows of onboardings and offboardings whose workflow never started (workflows/housekeeping.ts). */
  housekeepingRemovesUnstartedRows: 'housekeeping-removes-unstarted-rows',
} as const;
