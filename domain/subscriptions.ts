/** The API products a customer subscribes to (ShipServ's catalog; a plain CONTROL_TOWER is refused as ambiguous). */
export const SUBSCRIPTION_CODES = [
  'ORDER_MANAGEMENT',
  'CONTROL_TOWER_ORDERS',
  'CONTROL_TOWER_INVOICING',
  'INVOICING',
] as const;
export type SubscriptionCode = (typeof SUBSCRIPTION_CODES)[number];

/** API subscriptions need this plan (ShipServ: "a tenant with Trade subscription" first). */
export const API_PLAN = 'TRADE';

/** A subscription's life in one onboarding: requested, decided, then assigned (or taken back). */
export type SubscriptionStatus = 'REQUESTED' | 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'ASSIGNED';

/**
 * ShipServ: an Invoicing subscriber is a buyer or a supplier, and the two get different API permissions
 * (suppliers post invoices, buyers import them). The role goes into the token's scope as `invoicing:buyer`
 * or `invoicing:supplier`; without one, the plain `invoicing` scope of onboardings from before the role.
 */
export const INVOICING_ROLES = ['BUYER', 'SUPPLIER'] as const;
export type InvoicingRole = (typeof INVOICING_ROLES)[number];
/** The subscriptions that take a role, and the roles each takes. */
export const SUBSCRIPTION_ROLES = { INVOICING: INVOICING_ROLES } as const;
export type SubscriptionRoles = { INVOICING?: InvoicingRole };
