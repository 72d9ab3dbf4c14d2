export { onboardingWorkflow } from './onboarding';
export { reverifyConnectivityWorkflow } from './reverify';
