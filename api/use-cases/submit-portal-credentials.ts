import { collectorContext } from '../../activities/collection';
import { reopenCollectorLink, spendCollectorLink, storeSubmittedCredentials } from '../../db/collector-links';
import { findOnboarding } from '../../db/onboardings';
import { withTransaction } from '../../db/transaction';
import { credentialsSubmittedSignal } from '../../workflows/messages';
import type { ApiDeps } from '../deps';
import { onboardingHandle, signalWithProof } from '../onboarding-handle';
import { gone } from '../problem';

export interface PortalCredentials {
  username: string;
  password: string;
}

/**
 * A portal client's credentials, through its collector link (the token is the only credential; it
 * works once, before it expires). The link is spent and the credentials stored sealed in one short
 * transaction; the waiting workflow is then signalled with no connection or lock held, and gets a
 * reference to the sealed row, never the credentials. If it cannot be told, the submission is
 * undone so the link works again, as when the signal came before the commit.
 */
export async function submitPortalCredentials(
  deps: ApiDeps,
  tokenHash: string,
  credentials: PortalCredentials,
): Promise<void> {
  const { link, onboarding } = await withTransaction(deps.pool, async (tx) => {
    const spent = await spendCollectorLink(tx, tokenHash);
    if (!spent) throw gone('This link was already used or has expired');
    await storeSubmittedCredentials(
      tx,
      spent.id,
      deps.secrets.seal(JSON.stringify(credentials), collectorContext(spent.id)),
    );
    const found = await findOnboarding(tx, spent.onboarding_id);
    if (!found) throw gone('This onboarding no longer collects credentials');
    return { link: spent, onboarding: found };
  });
  // The link names the workflow waiting for it: the onboarding's (this run chain exactly), or a
  // reconnect's after re-verification found the credentials refused (workflows/reconnect.ts).
  const ownOnboarding = link.workflow_id === onboarding.workflow_id;
  const waiting = ownOnboarding
    ? onboardingHandle(deps, onboarding)
    : deps.temporal.workflow.getHandle(link.workflow_id);
  try {
    await signalWithProof(
      waiting,
      credentialsSubmittedSignal,
      { clientId: link.client_id, attempt: link.attempt, collectorLinkId: link.id },
      ownOnboarding ? onboarding.first_run_id : null,
    );
  } catch {
    await reopenCollectorLink(deps.pool, link.id);
    throw gone('This onboarding no longer collects credentials');
  }
}
