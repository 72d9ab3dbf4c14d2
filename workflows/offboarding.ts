import { ApplicationFailure, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { TenantStepInput } from '../activities/offboarding';
import {
  initialOffboardingView,
  moveStep,
  type OffboardingInput,
  type OffboardingResult,
  type OffboardingStepName,
  type OffboardingView,
  type StepStatus,
} from '../domain';
import { db, notify, projection } from './activity-options';
import { cancelSignal, withdrawAccessChangeSignal } from './messages';
import { PATCHES } from './patches';
import { signalWithProof } from './proven-signal';

/** Waiting for an open onboarding to close: one long, heartbeating activity, retried while it stays open. */
const waiting = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * Takes a live customer off: its tokens are refused at once, an open onboarding of it is cancelled (with
 * its own compensation) and awaited, then every access it has ends, its clients' portal credentials are
 * erased, it is told, and its tenant is archived. Nothing is undone on failure: each step only takes
 * access away, and the offboarding can be asked for again, finding done what was done.
 */
export async function offboardingWorkflow(input: OffboardingInput): Promise<OffboardingResult> {
  const view = initialOffboardingView(input, workflowInfo().workflowId, new Date().toISOString());
  const tenant = { offboardingId: input.offboardingId, tenantId: input.tenant.tenantId };
  const mark = async (name: OffboardingStepName, status: StepStatus, detail: string | null = null) => {
    change(view, (v, now) => moveStep(step(v, name), status, detail, now));
    await projection.recordOffboarding({ view: snapshot(view) });
  };
  const run = async (name: OffboardingStepName, work: () => Promise<{ detail: string }>) => {
    await mark(name, 'RUNNING');
    try {
      await mark(name, 'DONE', (await work()).detail);
    } catch (err) {
      await mark(name, 'FAILED', ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message);
      throw err;
    }
  };

  try {
    await run('REFUSE_TOKENS', () => db.refuseTokens(tenant));
    await run('CANCEL_OPEN_ONBOARDING', () => cancelOpenOnboarding(input));
    await run('STOP_REVERIFICATION', () => db.stopReverification(tenant));
    await run('REVOKE_CLIENT_SECRET', () => db.revokeTenantClient(tenant));
    await run('DISABLE_INTEGRATION_USER', () => disableUsers(input, tenant));
    await run('UNASSIGN_SUBSCRIPTIONS', () => db.unassignTenantSubscriptions(tenant));
    await run('ERASE_PORTAL_CREDENTIALS', () => db.eraseTenantCredentials(tenant));
    await run('NOTIFY_CUSTOMER', () => notify.notifyOffboarded(input));
    await run('ARCHIVE_TENANT', () => db.archiveOffboardedTenant(input));
  } catch (err) {
    const reason = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
    change(view, (v) => {
      v.status = 'FAILED';
      v.failure = reason;
      for (const s of v.steps) if (s.status === 'PENDING') s.status = 'SKIPPED';
    });
    await projection.recordOffboarding({ view: snapshot(view) });
    throw ApplicationFailure.create({ type: 'OFFBOARDING_FAILED', message: reason, nonRetryable: true });
  }
  change(view, (v) => (v.status = 'COMPLETED'));
  await projection.recordOffboarding({ view: snapshot(view) });
  return { status: 'COMPLETED' };
}

/**
 * An open onboarding of the tenant (a first one still running, or an expansion) is cancelled the way staff
 * would cancel it, with a proof bound to its run, and awaited until it has closed and compensated.
 */
async function cancelOpenOnboarding(input: OffboardingInput): Promise<{ detail: string }> {
  const open = await db.findOpenOnboarding(input.tenant);
  if (!open) return { detail: 'no open onboarding' };
  // Closed meanwhile, the signal fails: the wait below sees how it ended.
  await signalWithProof(cancelSignal, open, { reason: `offboarding: ${input.reason}`, requestedBy: input.requestedBy });
  const { status } = await waiting.awaitOnboardingClosed({ onboardingId: open.id });
  return { detail: `onboarding ${open.id} ended ${status}` };
}

/**
 * The tenant's users are disabled, so no new access change can be asked for; then each widening still
 * waiting for its approver is withdrawn, so that none can be approved for a tenant that is gone.
 */
async function disableUsers(input: OffboardingInput, tenant: TenantStepInput): Promise<{ detail: string }> {
  const disabled = await db.disableTenantUsers(tenant);
  if (!patched(PATCHES.offboardingWithdrawsAccessChanges)) return disabled;
  const pending = await db.findPendingAccessChanges(tenant);
  // One decided or expired meanwhile has closed, and the signal fails: it stays as it ended.
  for (const workflowId of pending)
    await signalWithProof(
      withdrawAccessChangeSignal,
      { workflowId },
      { reason: `offboarding: ${input.reason}`, requestedBy: input.requestedBy },
    );
  return pending.length ? { detail: `${disabled.detail}; withdrew ${pending.join(', ')}` } : disabled;
}

function step(view: OffboardingView, name: OffboardingStepName) {
  return view.steps.find((s) => s.name === name)!;
}

function change(view: OffboardingView, mutate: (view: OffboardingView, now: string) => void): void {
  const now = new Date().toISOString();
  mutate(view, now);
  view.version += 1;
  view.updatedAt = now;
}

/** What the projection stores: a copy, so a later change never alters a write already scheduled. */
const snapshot = (view: OffboardingView): OffboardingView => JSON.parse(JSON.stringify(view)) as OffboardingView;
