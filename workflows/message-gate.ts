import { ApplicationFailure, currentUpdateInfo, log, workflowInfo } from '@temporalio/workflow';
import { MESSAGE_UNPROVEN, proofProblem, type Proven } from '../domain';

/**
 * Lets in only the messages the API sealed for this workflow (domain/message-proof.ts). A payload the
 * codec could not open (plaintext, another master key, tampered) arrives as null and is refused too.
 */
export class MessageGate {
  private readonly nonces = new Set<string>();

  /** In an Update's validator: a refusal never reaches the history, and the sender sees MESSAGE_UNPROVEN. */
  requireUpdate(message: string, input: unknown): void {
    const problem = proofProblem(input, { ...this.here(message), updateId: currentUpdateInfo()?.id ?? '' });
    if (problem) throw ApplicationFailure.create({ type: MESSAGE_UNPROVEN, message: problem, nonRetryable: true });
  }

  /** In a signal's handler: true when the signal is proven and new; anything else is logged and ignored. */
  admitSignal<T>(message: string, input: Proven<T> | null): input is Proven<T> {
    let problem = proofProblem(input, this.here(message));
    if (!problem && this.nonces.has(input!.proof.nonce)) problem = 'proof already used';
    if (problem) {
      log.warn('refused an unproven message', { message, problem });
      return false;
    }
    this.nonces.add(input!.proof.nonce);
    return true;
  }

  private here(message: string) {
    const { workflowId, firstExecutionRunId } = workflowInfo();
    return { workflowId, firstRunId: firstExecutionRunId, message };
  }
}
