export { onboardingWorkflow } from './onboarding';
export { reconnectClientWorkflow } from './reconnect';
export { reverifyConnectivityWorkflow } from './reverify';
export { deliverClientSecretWorkflow } from './secret-delivery';
export { reconcileSubmissionsWorkflow } from './reconcile-submissions';
export { resendFinishedLinkWorkflow } from './onboarding-actions';
export { offboardingWorkflow } from './offboarding';
export { accessChangeWorkflow } from './access-change';
