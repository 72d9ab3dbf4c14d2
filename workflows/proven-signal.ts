import { getExternalWorkflowHandle, uuid4, type SignalDefinition } from '@temporalio/workflow';
import type { Proven } from '../domain';

/**
 * Signals another workflow the way the API does: the input carries a proof bound to that workflow (and to
 * its run, when known), sealed by this worker's codec (domain/message-proof.ts). False when the signal
 * failed as a command: the workflow does not exist or has closed.
 */
export async function signalWithProof<T>(
  signal: SignalDefinition<[Proven<T>]>,
  target: { workflowId: string; firstRunId?: string | null },
  input: T,
): Promise<boolean> {
  const { workflowId, firstRunId = null } = target;
  try {
    await getExternalWorkflowHandle(workflowId, firstRunId ?? undefined).signal(signal, {
      ...input,
      proof: { workflowId, firstRunId, message: signal.name, nonce: uuid4() },
    });
    return true;
  } catch {
    return false;
  }
}
