import type { Pool } from 'pg';

/** The email's domain is one of the staff domains (or a subdomain of one). */
export function inStaffDomain(email: string, staffDomains: readonly string[]): string | undefined {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return staffDomains.map((d) => d.toLowerCase()).find((d) => domain === d || domain.endsWith(`.${d}`));
}

/**
 * ShipServ: the integration account is dedicated to the integration, "not linked to an employee".
 * Answers why an email may not be used, or undefined when it may. Shared by the API (400 at start)
 * and the activity (the store never holds a person's address, whoever calls it).
 */
export async function personalEmailProblem(pool: Pool, email: string, staffDomains: readonly string[]): Promise<string | undefined> {
  const domain = inStaffDomain(email, staffDomains);
  if (domain) return `${email} is in the staff domain ${domain}: use a dedicated mailbox for the integration, not a person's`;
  const { rows } = await pool.query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [email.trim()]);
  if (rows.length > 0) return `${email} is a staff account: use a dedicated mailbox for the integration, not a person's`;
  return undefined;
}
