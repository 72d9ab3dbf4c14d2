/** The onboarding's shapes, shared by the workflow, its activities, the API and tests (types only). */

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

export const OPEN_STATUSES = ['RUNNING', 'AWAITING_APPROVAL', 'AWAITING_CREDENTIALS', 'VERIFYING_CONNECTIVITY'] as const;
export const FINAL_STATUSES = ['COMPLETED', 'REJECTED', 'CANCELLED', 'FAILED'] as const;
export type OnboardingStatus = (typeof OPEN_STATUSES)[number] | (typeof FINAL_STATUSES)[number];

export const SUBSCRIPTION_CODES = ['ORDER_MANAGEMENT', 'CONTROL_TOWER_ORDERS', 'CONTROL_TOWER_INVOICING', 'INVOICING'] as const;
export type SubscriptionCode = (typeof SUBSCRIPTION_CODES)[number];

/** API subscriptions need this plan (ShipServ: "a tenant with Trade subscription" first). */
export const API_PLAN = 'TRADE';

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED';

/** Who approves a subscription: its account manager alone, or the AM and then the technical AM. */
export const APPROVAL_POLICIES = ['AM', 'AM_THEN_TECH_AM'] as const;
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];
export type ApprovalStage = 'AM' | 'TECH_AM';
export type Decision = 'APPROVE' | 'REJECT';
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
  /** Absent in onboardings started before reminders existed. */
  approvalReminderIntervalMs?: number;
  approvalEscalateAfterMs?: number;
}

/** Resolved by the API at start, so a replay sees the same people whatever the configuration says now. */
export interface ApprovalSetup {
  stages: Partial<Record<SubscriptionCode, ApprovalStage[]>>;
  techAmEmail: string | null;
  escalateTo: string[];
}

export interface Address { street1: string; street2?: string; city: string; postalCode: string; countryCode: string }
export interface Contact { name: string; email: string; phoneNumber?: string }

export interface TenantRequest {
  partnerProvidedId: string;
  name: string;
  description?: string;
  taxIdentificationNumber?: string;
  plan: string;
  accountManagerEmail?: string;
  address?: Address;
  contact?: Contact;
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

export interface ClientRequest { partnerProvidedId: string; name: string; contactEmail: string; portalUrl: string }

/** The start body as validated by the API; it holds no secret. */
export interface OnboardingRequest {
  tenant: TenantRequest;
  integrationUser: IntegrationUserRequest;
  subscriptions: SubscriptionCode[];
  approverEmail?: string;
  /** gangway users who administer the API client (TecCom); default: who started the onboarding. */
  clientAdministrators?: string[];
  clients: ClientRequest[];
  notify: { email: string; webhookUrl?: string };
}

export interface OnboardingInput {
  onboardingId: string;
  request: OnboardingRequest;
  /** Resolved by the API: the request's approverEmail, else the tenant's account manager. */
  approverEmail: string;
  startedBy: { userId: string; email: string };
  policy: OnboardingPolicy;
  /** Absent in onboardings started before approval policies existed: one approver per subscription. */
  approval?: ApprovalSetup;
}

export interface StepView { name: StepName; status: StepStatus; startedAt: string | null; finishedAt: string | null; detail: string | null }
export interface ApprovalView {
  subscription: SubscriptionCode;
  status: ApprovalStatus;
  approverEmail: string;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  /** Whose turn it is; approverEmail is that stage's approver. */
  stage?: ApprovalStage;
  stages?: ApprovalStage[];
  delegateEmail?: string | null;
  /** When the current approver was asked: the inbox shows how long it has waited. */
  assignedAt?: string;
  escalatedTo?: string[];
  remindersSent?: number;
  /** Every stage's decision, in order; decidedBy/decidedAt/comment repeat the last one. */
  decisions?: StageDecision[];
}
export interface StageDecision { stage: ApprovalStage; decision: Decision; decidedBy: string; decidedAt: string; comment: string | null }
export interface ClientView {
  partnerProvidedId: string;
  connectivity: Connectivity;
  /** Credential submissions so far (each one is a collector link). */
  attempts: number;
  /** Portal logins tried so far, across submissions; absent in onboardings started before it was kept. */
  checks?: number;
  lastCheckedAt: string | null;
  lastError: string | null;
  awaitingCredentials: boolean;
}

export interface OnboardingView {
  id: string;
  workflowId: string;
  status: OnboardingStatus;
  tenant: { tenantId: string | null; partnerProvidedId: string; name: string };
  integrationUser: { username: string | null };
  clientId: string | null;
  steps: StepView[];
  approvals: ApprovalView[];
  subscriptions: { code: SubscriptionCode; status: string }[];
  clients: ClientView[];
  startedBy: string;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
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

export interface OnboardingResult { status: OnboardingStatus; reason: string | null }

/** One thing someone (or gangway itself) did to an approval task: who, what, when and why. */
export interface AuditEvent {
  /** Per onboarding, in order; keys the row so that a retried write never duplicates it. */
  seq: number;
  occurredAt: string;
  /** Place in the audit story, shared with status changes (StatusTransition.storyIndex). */
  storyIndex?: number;
  actor: string;
  action: 'ASSIGNED' | 'APPROVED' | 'REJECTED' | 'REASSIGNED' | 'DELEGATED' | 'REMINDED' | 'ESCALATED' | 'EXPIRED';
  subscription: SubscriptionCode | null;
  reason: string | null;
  detail?: Record<string, unknown>;
}
