export { onboardingWorkflow } from './onboarding';
