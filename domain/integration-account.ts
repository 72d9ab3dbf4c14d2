/**
 * ShipServ: the integration account is dedicated to the integration, "not linked to an employee".
 * Ongoing WMS: its username is `WSI_<TENANT>`, and a system named "Other" needs its own name.
 */

/** The email's domain is one of the staff domains (or a subdomain of one). */
export function inStaffDomain(email: string, staffDomains: readonly string[]): string | undefined {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return staffDomains.map((d) => d.toLowerCase()).find((d) => domain === d || domain.endsWith(`.${d}`));
}

/**
 * Why an email may not be the integration account's, or undefined when it may. `isStaffAccount`
 * says whether a staff user has that email (the caller looks it up).
 */
export function personalEmailProblem(
  email: string,
  staffDomains: readonly string[],
  isStaffAccount: boolean,
): string | undefined {
  const domain = inStaffDomain(email, staffDomains);
  if (domain)
    return `${email} is in the staff domain ${domain}: use a dedicated mailbox for the integration, not a person's`;
  if (isStaffAccount) return `${email} is a staff account: use a dedicated mailbox for the integration, not a person's`;
  return undefined;
}

/** "Other" is not a system's name: the customer names it. */
export function integrationSystemProblem(user: {
  integrationSystem: string;
  integrationSystemName?: string;
}): string | undefined {
  if (user.integrationSystem.toLowerCase() === 'other' && !user.integrationSystemName)
    return 'integrationSystem "Other" needs the system’s name';
  return undefined;
}

/** "WSI_ACME_001": the prefix marks a web-service integration; the rest comes from the tenant. */
export function deriveUsername(prefix: string, partnerProvidedId: string, suffix = 0): string {
  const base =
    partnerProvidedId
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'TENANT';
  return `${prefix}_${base}${suffix > 0 ? `_${suffix + 1}` : ''}`;
}
