import { randomUUID } from 'node:crypto';
import { secretDeliveryContext } from '../../activities/secret-delivery';
import { findClientContacts, rotateApiClientSecret } from '../../db/api-clients';
import { insertSecretDelivery } from '../../db/secret-deliveries';
import { insertSecurityEvent } from '../../db/security-events';
import { withTransaction } from '../../db/transaction';
import type { deliverClientSecretWorkflow } from '../../workflows';
import type { Caller } from '../auth';
import type { ApiDeps } from '../deps';
import { conflict } from '../problem';

/**
 * A rotation on the customer's behalf: the new secret goes to the customer's contacts by a one-time link,
 * never to the caller (staff could otherwise take over a customer's client). revokePrevious ends the old
 * secret at once (a leak); otherwise it keeps working for CLIENT_SECRET_GRACE.
 */
export async function rotateClientSecret(
  deps: Pick<ApiDeps, 'pool' | 'secrets' | 'config' | 'temporal'>,
  input: { caller: Caller; clientId: string; reason: string; revokePrevious: boolean },
) {
  const { pool, secrets, config, temporal } = deps;
  const recipients = await findClientContacts(pool, input.clientId);
  if (recipients.length === 0)
    throw conflict(`client ${input.clientId} has no customer contact to deliver a new secret to`);
  const deliveryId = randomUUID();
  const secret = secrets.newToken();
  const graceUntil = new Date(Date.now() + (input.revokePrevious ? 0 : config.clientSecretGraceMs));
  await withTransaction(pool, async (tx) => {
    await rotateApiClientSecret(tx, input.clientId, secrets.hashToken(secret), graceUntil);
    await insertSecretDelivery(tx, {
      id: deliveryId,
      clientId: input.clientId,
      secretSealed: secrets.seal(secret, secretDeliveryContext(deliveryId)),
      recipients,
    });
    await insertSecurityEvent(tx, {
      event: 'client_secret_rotated',
      actor: input.caller.email,
      subject: input.clientId,
      reason: input.reason,
      detail: { revokePrevious: input.revokePrevious, deliveredTo: recipients },
    });
  });
  await temporal.workflow.start<typeof deliverClientSecretWorkflow>('deliverClientSecretWorkflow', {
    taskQueue: config.temporal.taskQueue,
    workflowId: `secret-delivery:${deliveryId}`,
    args: [{ deliveryId, ttlMs: config.policy.kitLinkTtlMs }],
  });
  return {
    clientId: input.clientId,
    status: 'SECRET_MAILED' as const,
    deliveredTo: recipients,
    previousSecretValidUntil: graceUntil.toISOString(),
  };
}
