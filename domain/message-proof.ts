/**
 * What the API writes into every message that changes an onboarding (a decision, a reassignment, a
 * delegation, a cancellation, a credentials submission): the one workflow, message and Update id (or
 * signal nonce) it was sent for. It travels inside the payload the codec encrypts, so only a holder of
 * the master key can write one, and the workflow refuses a message whose proof is missing or names
 * another context: a payload copied out of a history cannot be replayed elsewhere (SECURITY.md).
 */
export interface MessageProof {
  workflowId: string;
  /** The run chain the sender addressed, when it knows it: a later onboarding reusing the id refuses it. */
  firstRunId: string | null;
  message: string;
  /** The Update's id, or a signal's one-time random value. */
  nonce: string;
}
export type Proven<T> = T & { proof: MessageProof };

export const MESSAGE_UNPROVEN = 'MESSAGE_UNPROVEN';

/** Where the workflow received a message: its id, first run, the message's name and the Update's id. */
export interface MessageContext {
  workflowId: string;
  firstRunId: string;
  message: string;
  updateId?: string;
}

/** Why a message may not be acted on, or null when its proof matches where it arrived. */
export function proofProblem(input: unknown, at: MessageContext): string | null {
  const proof = (input as { proof?: Partial<MessageProof> } | null)?.proof;
  if (!proof || typeof proof !== 'object') return 'no proof (not sealed by gangway)';
  if (proof.workflowId !== at.workflowId) return 'proof names another workflow';
  if (proof.firstRunId && proof.firstRunId !== at.firstRunId) return 'proof names another run';
  if (proof.message !== at.message) return 'proof names another message';
  if (typeof proof.nonce !== 'string' || proof.nonce.length === 0) return 'proof without a nonce';
  if (at.updateId !== undefined && proof.nonce !== at.updateId) return 'proof names another update';
  return null;
}
