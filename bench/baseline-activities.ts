import type { Pool } from 'pg';
import type { Mailer } from '../notify/mailer';

/**
 * B3's outside work: the product's mailer (one pooled SMTP transport) to the bench's mail sink, and the
 * portal the bench's onboardings log in to.
 */
export interface OutsideWork {
  mailer: Mailer;
  portalUrl: string;
  credentials: { username: string; password: string };
}

/** About the size of the product's mails (200–500 bytes of text: the approval request, a decision, a link). */
const MAIL_TEXT = 'A line of the kind an onboarding mail is made of, with a link or a name in it.\n'.repeat(4);

/**
 * B1's writes mirror one onboarding step's: a keyed insert of the step's row and an upsert of a
 * versioned jsonb read model, each its own statement, as our activities and projection do. B3's steps
 * that mail or log in to a portal in ours do that too, and nothing else of ours.
 */
export function createBaselineActivities(pool: Pool, outside?: OutsideWork) {
  const outsideWork = () => {
    if (!outside) throw new Error('B3 runs on the codec worker, given SMTP_URL and BENCH_PORTAL_URL');
    return outside;
  };
  return {
    async noop(): Promise<void> {},
    /** With `view`, the step carries the view it writes (bench/workflows/index.ts, carriedView). */
    async write({ id, step, view }: { id: string; step: number; view?: unknown }): Promise<void> {
      await writeRow(pool, id, step);
      await writeView(pool, id, step, view ?? { id, step });
    },
    /** The experiment's split (bench/workflows/index.ts, localProjection): the row in the step's activity… */
    async writeRow({ id, step }: { id: string; step: number }): Promise<void> {
      await writeRow(pool, id, step);
    },
    /** …and the view in a local activity after it. */
    async writeView({ id, step, view }: { id: string; step: number; view: unknown }): Promise<void> {
      await writeView(pool, id, step, view);
    },
    /** B3: a step that mails in ours writes its rows and sends one mail. */
    async writeAndMail({ id, step, to }: { id: string; step: number; to: string }): Promise<void> {
      await writeRow(pool, id, step);
      await writeView(pool, id, step, { id, step });
      await outsideWork().mailer.send({
        to,
        subject: `Step ${step} of ${id}`,
        text: MAIL_TEXT,
        idempotencyKey: `${id}.${step}`,
      });
    },
    /** B3: the portal check writes its rows and logs in to the portal over HTTP, as ours does. */
    async writeAndLogIn({ id, step }: { id: string; step: number }): Promise<void> {
      await writeRow(pool, id, step);
      await writeView(pool, id, step, { id, step });
      const { portalUrl, credentials } = outsideWork();
      const res = await fetch(`${portalUrl}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
      if (res.status !== 200) throw new Error(`portal login answered ${res.status}`);
      await res.arrayBuffer();
    },
  };
}

const writeRow = (pool: Pool, id: string, step: number) =>
  pool.query('INSERT INTO bench_rows (id, step, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    id,
    step,
    { step },
  ]);

const writeView = (pool: Pool, id: string, step: number, view: unknown) =>
  pool.query(
    `INSERT INTO bench_views (id, version, view) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, view = EXCLUDED.view WHERE bench_views.version < EXCLUDED.version`,
    [id, step + 1, view],
  );

export const BASELINE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS bench_rows (id text, step int, data jsonb, PRIMARY KEY (id, step));
  CREATE TABLE IF NOT EXISTS bench_views (id text PRIMARY KEY, version int NOT NULL, view jsonb NOT NULL);`;
