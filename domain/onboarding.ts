import type { ApprovalSetup, ApprovalView } from './approvals';
import type { SubscriptionCode, SubscriptionRoles, SubscriptionStatus } from './subscriptions';

/** The onboarding's shapes, shared by the workflow, its activities, the API and tests. */

export const STEP_NAMES = [
  'CREATE_TENANT',
  'CREATE_INTEGRATION_USER',
  'ISSUE_CLIENT_CREDENTIALS',
  'REQUEST_APPROVAL',
  'ASSIGN_SUBSCRIPTIONS',
  'COLLECT_CLIENT_CREDENTIALS',
  'VERIFY_CONNECTIVITY',
  'DELIVER_KIT',
] as const;
export type StepName = (typeof STEP_NAMES)[number];
export type StepStatus = 'PENDING' | 'RUNNING' | 'DONE' | 'FAILED' | 'SKIPPED' | 'COMPENSATED';

export const OPEN_STATUSES = [
  'RUNNING',
  'AWAITING_APPROVAL',
  'AWAITING_CREDENTIALS',
  'VERIFYING_CONNECTIVITY',
] as const;
export const FINAL_STATUSES = ['COMPLETED', 'REJECTED', 'CANCELLED', 'FAILED'] as const;
export type OnboardingStatus = (typeof OPEN_STATUSES)[number] | (typeof FINAL_STATUSES)[number];

export type Connectivity = 'PENDING' | 'CONNECTED' | 'FAILED';

/** What the workflow needs to decide on time; passed in its input so that replays see the same values. */
export interface OnboardingPolicy {
  approvalExpireAfterMs: number;
  collectorLinkTtlMs: number;
  credentialMaxAttempts: number;
  connectivityDeadlineMs: number;
  connectivityRetryInitialMs: number;
  connectivityRetryMaxMs: number;
  kitLinkTtlMs: number;
  approvalReminderIntervalMs: number;
  approvalEscalateAfterMs: number;
  /** A client awaiting credentials is reminded this often before its link expires; absent or 0: never (older inputs). */
  collectorReminderIntervalMs?: number;
  /** Who started the onboarding is told once a client has awaited credentials this long; absent or 0: never. */
  clientStuckNoticeAfterMs?: number;
}

export interface Address {
  /** Shipium's address kind, e.g. commercial or residential. */
  addressType?: string;
  name?: string;
  company?: string;
  street1: string;
  street2?: string;
  city: string;
  state?: string;
  postalCode: string;
  countryCode: string;
}
export interface Contact {
  name: string;
  email: string;
  phoneNumber?: string;
}

export interface TenantRequest {
  partnerProvidedId: string;
  name: string;
  description?: string;
  taxIdentificationNumber?: string;
  plan: string;
  accountManagerEmail?: string;
  address?: Address;
  contact?: Contact;
  /** Shipium: the US principal party in interest of exports, an Address in the US and a Contact. */
  unitedStatesPrincipalPartyInInterestAddress?: Address;
  unitedStatesPrincipalPartyInInterestContact?: Contact;
  /** Fulfilment centres and warehouses with their schedules, validated by the API (api/tenant-schemas.ts). */
  origins?: Record<string, unknown>[];
}

export interface IntegrationUserRequest {
  email: string;
  integrationSystem: string;
  integrationSystemName?: string;
  scope: 'TENANT' | 'AUTOMATION';
  invoiceDataAccess: boolean;
}

export interface PortalClientRequest {
  partnerProvidedId: string;
  name: string;
  contactEmail: string;
  portalUrl: string;
}

/** The start body as validated by the API; it holds no secret. */
export interface OnboardingRequest {
  tenant: TenantRequest;
  integrationUser: IntegrationUserRequest;
  subscriptions: SubscriptionCode[];
  /** ShipServ: the role per subscription that takes one (INVOICING: BUYER or SUPPLIER). */
  subscriptionRoles?: SubscriptionRoles;
  approverEmail?: string;
  /** gangway users who administer the API client (TecCom); default: who started the onboarding. */
  clientAdministrators?: string[];
  clients: PortalClientRequest[];
  /** sendCredentials false: the kit is not mailed but held for staff to hand over (absent: mailed). */
  notify: { email: string; webhookUrl?: string; sendCredentials?: boolean };
}

/** The live customer an expansion adds to: its tenant, integration user and API client, resolved by the API and reused. */
export interface ExpansionTarget {
  tenantId: string;
  username: string;
  clientId: string;
}

export interface OnboardingInput {
  onboardingId: string;
  /** Present for an expansion of a live customer: nothing is created for it, only subscriptions and clients added. */
  expansion?: ExpansionTarget;
  request: OnboardingRequest;
  /** Resolved by the API: the request's approverEmail, else the tenant's account manager. */
  approverEmail: string;
  startedBy: { userId: string; email: string };
  policy: OnboardingPolicy;
  approval: ApprovalSetup;
}

export interface StepView {
  name: StepName;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  detail: string | null;
}
export interface PortalClientView {
  partnerProvidedId: string;
  connectivity: Connectivity;
  /** Credential submissions so far (each one is a collector link). */
  attempts: number;
  /** Portal logins tried so far: across submissions, reconnects and re-verification runs. */
  checks: number;
  lastCheckedAt: string | null;
  lastError: string | null;
  awaitingCredentials: boolean;
}

/** A client's connectivity changed: each one becomes a `client.connectivity_changed` webhook. */
export interface ClientConnectivityEvent {
  seq: number;
  partnerProvidedId: string;
  connectivity: Connectivity;
  attempts: number;
  lastError: string | null;
  occurredAt: string;
}

/** When the customer opened the kit and set the integration user's password; merged into the view at read time. */
export interface KitProgress {
  openedAt: string | null;
  passwordSetAt: string | null;
}

export interface OnboardingView {
  id: string;
  workflowId: string;
  status: OnboardingStatus;
  tenant: { tenantId: string | null; partnerProvidedId: string; name: string };
  /** True for an expansion of a live customer (absent on a first onboarding). */
  expansion?: boolean;
  integrationUser: { username: string | null };
  clientId: string | null;
  steps: StepView[];
  approvals: ApprovalView[];
  subscriptions: { code: SubscriptionCode; status: SubscriptionStatus }[];
  clients: PortalClientView[];
  startedBy: string;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  /** Not kept by the workflow (the kit is opened after it ends): the API adds it from the kit's row. */
  kit?: KitProgress;
  /** Grows with every change, so the projection never lets an older view overwrite a newer one. */
  version: number;
}

export interface StatusTransition {
  seq: number;
  status: OnboardingStatus;
  reason: string | null;
  occurredAt: string;
  /** Place in the audit story, shared with approval events: one write keeps the order they happened in. */
  storyIndex?: number;
}

export interface OnboardingResult {
  status: OnboardingStatus;
  reason: string | null;
}

/** A client of a finished onboarding whose portal stopped accepting its credentials goes back through collection. */
export interface ReconnectClientInput {
  onboardingId: string;
  /** Set when staff asked for the retry (POST …/clients/{id}/retry): the reconnect audits it and announces its result. */
  requestedBy?: string;
  client: PortalClientRequest;
  /** The attempt after the highest collector link this client has: attempts key the links, so they must not repeat. */
  firstAttempt: number;
  /** Today's configuration, fixed in the input so that replays see the same values. */
  policy: OnboardingPolicy;
}

export interface ReconnectClientResult {
  connectivity: Connectivity;
  attempts: number;
  lastError: string | null;
}
