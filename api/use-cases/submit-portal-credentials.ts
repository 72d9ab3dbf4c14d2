import { WorkflowNotFoundError } from '@temporalio/client';
import { collectorContext } from '../../activities/collection';
import { timingSafeEqual } from 'node:crypto';
import {
  findOpenCollectorLink,
  findStoredSubmission,
  markSubmissionSignalled,
  reopenCollectorLink,
  spendCollectorLink,
  type SpentCollectorLink,
} from '../../db/collector-links';
import { credentialsSubmittedSignal } from '../../workflows/messages';
import type { ApiDeps } from '../deps';
import { onboardingHandle, signalWithProof } from '../onboarding-handle';
import { gone, neverReachedTemporal } from '../problem';

export interface PortalCredentials {
  username: string;
  password: string;
}

/** How long the collector waits for Temporal before answering: well inside the reconciler's grace (RECONCILE_AFTER). */
const SIGNAL_DEADLINE_MS = 10_000;

/**
 * A portal client's credentials, through its collector link (the token is the only credential; it
 * works once, before it expires). The link is spent and the credentials stored sealed in one
 * statement; the waiting workflow is then signalled with no connection or lock held, and gets a
 * reference to the sealed row, never the credentials. A delivered signal is recorded (signalled_at).
 *
 * When the signal fails:
 * - the workflow is gone (the onboarding finished): the link is reopened and the answer is 410;
 * - Temporal could not be reached (UNAVAILABLE: nothing was delivered): the link is reopened so
 *   that the same request works again, and the answer is 503 (problem.ts);
 * - anything else, such as a deadline passed with the signal perhaps delivered, or a reopen that
 *   fails too: the submission stays stored and the reconciler (workflows/reconcile-submissions.ts)
 *   delivers it; the answer is 202, since nothing more is asked of the person. A second delivery of
 *   the same submission is harmless: the workflow keys them by client and attempt.
 */
export async function submitPortalCredentials(
  deps: ApiDeps,
  tokenHash: string,
  credentials: PortalCredentials,
): Promise<void> {
  const link = await spendWithCredentials(deps, tokenHash, credentials);
  if (!link) {
    // The same submission sent again (its first answer was lost to a timeout or an outage) was received.
    if (await isStoredSubmission(deps, tokenHash, credentials)) return;
    throw gone('This link was already used or has expired');
  }
  if (link.onboarding_workflow_id === null) {
    await reopenCollectorLink(deps.pool, link.id);
    throw gone('This onboarding no longer collects credentials');
  }
  const onboarding = { workflow_id: link.onboarding_workflow_id, first_run_id: link.first_run_id };
  // The link names the workflow waiting for it: the onboarding's (this run chain exactly), or a
  // reconnect's after re-verification found the credentials refused (workflows/reconnect.ts).
  const ownOnboarding = link.workflow_id === onboarding.workflow_id;
  const waiting = ownOnboarding
    ? onboardingHandle(deps, onboarding)
    : deps.temporal.workflow.getHandle(link.workflow_id);
  try {
    await deps.temporal.withDeadline(Date.now() + SIGNAL_DEADLINE_MS, () =>
      signalWithProof(
        waiting,
        credentialsSubmittedSignal,
        { clientId: link.client_id, attempt: link.attempt, collectorLinkId: link.id },
        ownOnboarding ? onboarding.first_run_id : null,
      ),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      await reopenCollectorLink(deps.pool, link.id);
      throw gone('This onboarding no longer collects credentials');
    }
    if (!neverReachedTemporal(err)) return;
    const reopened = await reopenCollectorLink(deps.pool, link.id).then(
      () => true,
      () => false,
    );
    if (reopened) throw err;
    return;
  }
  // Best effort: a mark that fails only means the reconciler signals once more.
  await markSubmissionSignalled(deps.pool, link.id).catch(() => undefined);
}

/**
 * Two round trips (#18): the link's id, which the sealed credentials are bound to, then the one
 * statement that spends the link and stores them. A link spent in between is not spent again.
 */
async function spendWithCredentials(
  deps: ApiDeps,
  tokenHash: string,
  credentials: PortalCredentials,
): Promise<SpentCollectorLink | undefined> {
  const open = await findOpenCollectorLink(deps.pool, tokenHash);
  if (!open) return undefined;
  const sealed = deps.secrets.seal(JSON.stringify(credentials), collectorContext(open.id));
  return spendCollectorLink(deps.pool, open.id, sealed);
}

/** Whether this link's stored submission holds exactly these credentials. */
async function isStoredSubmission(deps: ApiDeps, tokenHash: string, credentials: PortalCredentials): Promise<boolean> {
  const row = await findStoredSubmission(deps.pool, tokenHash);
  if (!row) return false;
  const stored = Buffer.from(deps.secrets.open(row.credentials_sealed, collectorContext(row.id)));
  const sent = Buffer.from(JSON.stringify(credentials));
  return stored.length === sent.length && timingSafeEqual(stored, sent);
}
