/** What /oauth/token checks a presented secret against, and what the client may then do. */
export interface ApiClientCredentials {
  secret_hash: string;
  previous_secret_hash: string | null;
  /** Whether the previous secret is still in its grace period. */
  previous_valid: boolean;
  /** Tenants enabled for requests on this client. */
  tenant_ids: string[];
  /** Every subscription those tenants hold, with its role when it has one (`INVOICING:SUPPLIER`). */
  subscriptions: string[];
  /** Whether any of those tenants' live integration users may see invoice data. */
  invoice: boolean;
  /** Whether the client still serves a tenant that is not archived. */
  has_live_tenant: boolean;
  /** An automation user's client granted every tenant: its tokens say '*' (db/automation-users.ts). */
  all_tenants?: boolean;
}
