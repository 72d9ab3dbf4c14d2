import type { MailClientSecretInput } from '../activities/secret-delivery';
import { notify } from './activity-options';

/**
 * Delivers a client secret rotated on the customer's behalf: the mail with its one-time link is retried
 * until the SMTP server takes it, after the API's answer is long gone. The input names the delivery row;
 * the secret never enters the history.
 */
export async function deliverClientSecretWorkflow(input: MailClientSecretInput): Promise<{ expiresAt: string }> {
  return notify.mailClientSecret(input);
}
