import type { OnboardingStatus, OnboardingView, StepStatus, StepView } from '../domain';

/** How the CLI renders onboardings: plain text, one fact per line, no colours, never a secret. */

export const WAITING_ON_A_PERSON: readonly OnboardingStatus[] = ['AWAITING_APPROVAL', 'AWAITING_CREDENTIALS'];
export const ENDED_WELL: readonly OnboardingStatus[] = ['COMPLETED'];
export const ENDED_BADLY: readonly OnboardingStatus[] = ['REJECTED', 'CANCELLED', 'FAILED'];

const GLYPH: Record<StepStatus, string> = {
  PENDING: '·',
  RUNNING: '…',
  DONE: '✓',
  FAILED: '✗',
  SKIPPED: '–',
  COMPENSATED: '↺',
};

/** What a step is doing, e.g. `… REQUEST_APPROVAL waiting for am@example.com`. */
function stepLine(step: StepView, view: OnboardingView): string {
  let detail = step.detail;
  if (!detail && step.status === 'RUNNING') detail = waitingFor(step, view);
  if (step.status === 'SKIPPED' || step.status === 'COMPENSATED')
    return `${GLYPH[step.status]} ${step.name} ${step.status.toLowerCase()}${detail ? ` (${detail})` : ''}`;
  return `${GLYPH[step.status]} ${step.name}${detail ? ` ${detail}` : ''}`;
}

function waitingFor(step: StepView, view: OnboardingView): string | null {
  if (step.name === 'REQUEST_APPROVAL') {
    const approvers = [...new Set(view.approvals.filter((a) => a.status === 'PENDING').map((a) => a.approverEmail))];
    return approvers.length ? `waiting for ${approvers.join(', ')}` : null;
  }
  if (step.name === 'COLLECT_CLIENT_CREDENTIALS') {
    const clients = view.clients.filter((c) => c.awaitingCredentials).map((c) => c.partnerProvidedId);
    return clients.length ? `waiting for credentials of ${clients.join(', ')}` : null;
  }
  return null;
}

function statusLine(view: OnboardingView): string {
  return `status ${view.status}${view.reason ? `: ${view.reason}` : ''}`;
}

/**
 * The lines that tell what changed between two polls: steps in order, then clients, then the
 * status (the first time, the status comes first: it is where the story starts).
 */
export function changes(before: OnboardingView | undefined, after: OnboardingView): string[] {
  const lines: string[] = before ? [] : [statusLine(after)];
  for (const step of after.steps) {
    const old = before?.steps.find((s) => s.name === step.name);
    const changed = old ? old.status !== step.status || old.detail !== step.detail : step.status !== 'PENDING';
    if (changed && step.status !== 'PENDING') lines.push(stepLine(step, after));
  }
  for (const portalClient of after.clients) {
    const old = before?.clients.find((c) => c.partnerProvidedId === portalClient.partnerProvidedId);
    if (
      old &&
      (old.connectivity !== portalClient.connectivity ||
        old.attempts !== portalClient.attempts ||
        old.awaitingCredentials !== portalClient.awaitingCredentials)
    ) {
      lines.push(`  client ${portalClient.partnerProvidedId}: ${portalClientState(portalClient)}`);
    }
  }
  if (before && (before.status !== after.status || before.reason !== after.reason)) lines.push(statusLine(after));
  return lines;
}

function portalClientState(c: OnboardingView['clients'][number]): string {
  const parts = [c.connectivity, `${c.attempts} attempt${c.attempts === 1 ? '' : 's'}`];
  if (c.awaitingCredentials) parts.push('awaiting credentials');
  if (c.lastError) parts.push(`last error: ${c.lastError}`);
  return parts.join(', ');
}

/** What the person we wait on has to do. */
export function waitingHint(view: OnboardingView): string[] {
  if (view.status === 'AWAITING_APPROVAL') {
    const pending = view.approvals.filter((a) => a.status === 'PENDING');
    const lines = pending.map((a) => `  ${a.subscription} awaits ${a.approverEmail}`);
    return [
      `Waiting on a person: ${pending.length} approval${pending.length === 1 ? '' : 's'} pending.`,
      ...lines,
      `  decide with: gangway approve ${view.id} --subscription S [--reject] [--comment C]`,
      `  follow with: gangway status ${view.id}`,
    ];
  }
  if (view.status === 'AWAITING_CREDENTIALS') {
    const clients = view.clients.filter((c) => c.awaitingCredentials).map((c) => c.partnerProvidedId);
    return [
      `Waiting on a person: the client${clients.length === 1 ? '' : 's'} ${clients.join(', ')} must submit portal credentials through the link they were mailed.`,
      `  follow with: gangway status ${view.id}`,
    ];
  }
  return [];
}

const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
  );
}

/** The whole onboarding view for `gangway status`. */
export function renderView(view: OnboardingView): string[] {
  const lines = [
    `Onboarding ${view.id}`,
    `  status            ${view.status}${view.reason ? ` (${view.reason})` : ''}`,
    `  tenant            ${view.tenant.name} (${view.tenant.partnerProvidedId}${view.tenant.tenantId ? `, tenant ${view.tenant.tenantId}` : ''})`,
    `  integration user  ${view.integrationUser.username ?? '—'}`,
    `  client id         ${view.clientId ?? '—'}`,
    `  workflow          ${view.workflowId}`,
    `  started           ${when(view.createdAt)}${view.startedBy ? ` by ${view.startedBy}` : ''}`,
    `  updated           ${when(view.updatedAt)}`,
    '',
    'Steps',
    ...table(
      view.steps.map((s) => [
        GLYPH[s.status],
        s.name,
        s.status,
        s.detail ?? (s.status === 'RUNNING' ? (waitingFor(s, view) ?? '') : ''),
      ]),
    ),
  ];
  lines.push('', 'Approvals');
  if (view.approvals.length === 0) lines.push('  none');
  else {
    lines.push(
      ...table(
        view.approvals.map((a) => [
          a.subscription,
          a.status,
          a.decidedBy ? `by ${a.decidedBy} at ${when(a.decidedAt)}` : `awaits ${a.approverEmail}`,
          a.comment ? `“${a.comment}”` : '',
        ]),
      ),
    );
  }
  if (view.subscriptions.length)
    lines.push('', 'Subscriptions', ...table(view.subscriptions.map((s) => [s.code, s.status])));
  lines.push('', 'Clients');
  if (view.clients.length === 0) lines.push('  none');
  else {
    lines.push(
      ...table(
        view.clients.map((c) => [
          c.partnerProvidedId,
          c.connectivity,
          `${c.attempts} attempt${c.attempts === 1 ? '' : 's'}`,
          `last checked ${when(c.lastCheckedAt)}`,
          [c.awaitingCredentials ? 'awaiting credentials' : '', c.lastError ? `last error: ${c.lastError}` : '']
            .filter(Boolean)
            .join('; '),
        ]),
      ),
    );
  }
  return lines;
}
