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
