import type { Queryable } from './queryable';

/** The integration kit: what the customer opens once, with the API client's secret sealed until then (client_id is the API client's). */

export interface KitContents {
  username: string;
  developerPortalUrl: string;
  subscriptions: string[];
}

/** The undelivered secret is destroyed: a kit opened later shows none. */
export async function destroyKitSecret(db: Queryable, onboardingId: string): Promise<void> {
  await db.query('UPDATE kits SET client_secret_sealed = NULL WHERE onboarding_id = $1', [onboardingId]);
}

/** The kit and whether its mail (mailKey in mail_log) went out; undefined when no kit was made. */
export async function findKitDelivery(
  db: Queryable,
  onboardingId: string,
  mailKey: string,
): Promise<{ expires_at: Date | null; sent: boolean; held: boolean } | undefined> {
  const { rows } = await db.query<{ expires_at: Date | null; sent: boolean; held: boolean }>(
    `SELECT k.expires_at, (m.sent_at IS NOT NULL) AS sent, (k.held_for_staff_at IS NOT NULL) AS held FROM kits k
     LEFT JOIN mail_log m ON m.idempotency_key = $2 WHERE k.onboarding_id = $1`,
    [onboardingId, mailKey],
  );
  return rows[0];
}

/**
 * Sets (or on a retry, replaces) the kit's link token, contents and sealed set-password token, and
 * the integration user's set-password link that token opens (one per onboarding: a retry replaces
 * its token, so only the last one mailed works), in one statement: atomic without a transaction, one
 * round trip where five were (#18). False, with nothing written, when the onboarding has no
 * integration user.
 */
export async function prepareKit(
  db: Queryable,
  kit: {
    onboardingId: string;
    tokenHash: string;
    contents: KitContents;
    expiresAt: Date;
    setPasswordTokenSealed: string;
    /** Not mailed (notify.sendCredentials false): staff hand it over through POST /v1/onboardings/{id}/kit-link. */
    heldForStaff?: boolean;
    passwordLink: { tokenHash: string; expiresAt: Date };
  },
): Promise<boolean> {
  const { rows } = await db.query<{ prepared: boolean }>(
    `WITH link AS (
       INSERT INTO integration_password_links (onboarding_id, integration_user_id, token_hash, expires_at)
       SELECT $1, id, $7, $8 FROM integration_users WHERE orchestration_id = $9
       ON CONFLICT (onboarding_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at
       RETURNING 1
     ), kit AS (
       UPDATE kits SET token_hash = $2, contents = $3, expires_at = $4, set_password_token_sealed = $5,
              held_for_staff_at = CASE WHEN $6::boolean THEN coalesce(held_for_staff_at, now()) END
        WHERE onboarding_id = $1 AND EXISTS (SELECT 1 FROM link)
     )
     SELECT EXISTS (SELECT 1 FROM link) AS prepared`,
    [
      kit.onboardingId,
      kit.tokenHash,
      kit.contents,
      kit.expiresAt,
      kit.setPasswordTokenSealed,
      kit.heldForStaff === true,
      kit.passwordLink.tokenHash,
      kit.passwordLink.expiresAt,
      // The user's orchestration id is the onboarding id, as text (the link's is a uuid).
      kit.onboardingId,
    ],
  );
  return rows[0].prepared;
}

/**
 * A fresh link token for a kit held for staff that is still unopened: the previous link stops working.
 * Returns the new expiry, or why not ('NOT_HELD': mailed to the customer, or not prepared yet; 'OPENED').
 */
export async function replaceHeldKitToken(
  db: Queryable,
  kit: { onboardingId: string; tokenHash: string; expiresAt: Date },
): Promise<{ expiresAt: Date } | 'NOT_HELD' | 'OPENED'> {
  const { rows } = await db.query<{ held: boolean; opened: boolean; updated: boolean }>(
    `WITH target AS (
       SELECT onboarding_id, held_for_staff_at IS NOT NULL AND contents IS NOT NULL AS held,
              opened_at IS NOT NULL OR client_secret_sealed IS NULL AS opened
         FROM kits WHERE onboarding_id = $1 FOR UPDATE),
     changed AS (
       UPDATE kits SET token_hash = $2, expires_at = $3 FROM target
        WHERE kits.onboarding_id = target.onboarding_id AND target.held AND NOT target.opened
       RETURNING 1)
     SELECT target.held, target.opened, EXISTS (SELECT 1 FROM changed) AS updated FROM target`,
    [kit.onboardingId, kit.tokenHash, kit.expiresAt],
  );
  const row = rows[0];
  if (!row || !row.held) return 'NOT_HELD';
  if (row.opened) return 'OPENED';
  return { expiresAt: kit.expiresAt };
}

export interface OpenedKit {
  onboarding_id: string;
  client_id: string;
  sealed: string | null;
  password_sealed: string | null;
  contents: KitContents;
}

/**
 * The kit opens exactly once: one statement marks it opened and destroys the sealed secrets,
 * returning the sealed values it held, so two racing requests cannot both read them.
 */
export async function openKit(db: Queryable, tokenHash: string): Promise<OpenedKit | undefined> {
  const { rows } = await db.query<OpenedKit>(
    `WITH kit AS (
       SELECT onboarding_id, client_secret_sealed, set_password_token_sealed FROM kits
       WHERE token_hash = $1 AND opened_at IS NULL AND expires_at > now() FOR UPDATE
     )
     UPDATE kits SET opened_at = now(), client_secret_sealed = NULL, set_password_token_sealed = NULL FROM kit
     WHERE kits.onboarding_id = kit.onboarding_id
     RETURNING kits.onboarding_id, kits.client_id, kit.client_secret_sealed AS sealed,
               kit.set_password_token_sealed AS password_sealed, kits.contents`,
    [tokenHash],
  );
  return rows[0];
}

/** Whether a kit link still opens (the page shows its Reveal button; nothing is consumed). */
export async function isKitOpen(db: Queryable, tokenHash: string): Promise<boolean> {
  const { rows } = await db.query(
    'SELECT 1 FROM kits WHERE token_hash = $1 AND opened_at IS NULL AND expires_at > now() AND client_secret_sealed IS NOT NULL',
    [tokenHash],
  );
  return rows.length > 0;
}

/** Where the customer is with the kit: delivered, opened, secret still sealed, password set. */
export interface KitState {
  delivered: boolean;
  opened_at: Date | null;
  secret_sealed: boolean;
  password_set_at: Date | null;
  /** The kit's API client, whose secret a re-issued kit replaces. */
  client_id: string;
}

export async function findKitState(db: Queryable, onboardingId: string): Promise<KitState | undefined> {
  const { rows } = await db.query<KitState>(
    `SELECT k.token_hash IS NOT NULL AS delivered, k.opened_at, k.client_secret_sealed IS NOT NULL AS secret_sealed,
            l.used_at AS password_set_at, k.client_id
       FROM kits k LEFT JOIN integration_password_links l ON l.onboarding_id = k.onboarding_id
      WHERE k.onboarding_id = $1`,
    [onboardingId],
  );
  return rows[0];
}

/** Locks a delivered kit whose secret nobody has seen yet; undefined once it was opened (or never delivered). */
export async function lockUnrevealedKit(
  db: Queryable,
  onboardingId: string,
): Promise<{ client_id: string; contents: KitContents } | undefined> {
  const { rows } = await db.query<{ client_id: string; contents: KitContents }>(
    `SELECT client_id, contents FROM kits
      WHERE onboarding_id = $1 AND opened_at IS NULL AND client_secret_sealed IS NOT NULL AND token_hash IS NOT NULL
      FOR UPDATE`,
    [onboardingId],
  );
  return rows[0];
}

/** A re-issued kit: a new sealed secret, link token and set-password token; the earlier link stops working. */
export async function replaceKitSecret(
  db: Queryable,
  kit: {
    onboardingId: string;
    clientSecretSealed: string;
    tokenHash: string;
    expiresAt: Date;
    setPasswordTokenSealed: string;
  },
): Promise<void> {
  await db.query(
    `UPDATE kits SET client_secret_sealed = $2, token_hash = $3, expires_at = $4, set_password_token_sealed = $5
      WHERE onboarding_id = $1 AND opened_at IS NULL`,
    [kit.onboardingId, kit.clientSecretSealed, kit.tokenHash, kit.expiresAt, kit.setPasswordTokenSealed],
  );
}
