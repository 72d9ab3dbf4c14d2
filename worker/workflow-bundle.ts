import { bundleWorkflowCode, type BundleOptions, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { FAILURE_CONVERTER_PATH } from '../lib/data-converter';

export const WORKFLOWS_PATH = require.resolve(path.join(__dirname, '..', 'workflows'));

/**
 * Modules evaluated once per reused V8 context and shared by every workflow in it, instead of once
 * per workflow: the workflows and all they import. A parked onboarding then holds its own state,
 * not its own copy of two dozen modules (BENCHMARKS.md, scenario 5), and a new or replayed one does
 * not evaluate them again. Safe only because these modules keep no state at module scope (only
 * functions, classes, constants and activity proxies); test/unit/preloaded-modules.test.ts holds
 * them to that.
 */
export const PRELOADED_MODULES = [WORKFLOWS_PATH];

/**
 * The workflow side of tracing, in every bundle: inert (and its OpenTelemetry modules never evaluated) in a
 * workflow started without a trace context, so the recorded histories replay the same with it.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve(path.join(__dirname, '..', 'workflows', 'tracing-interceptors')),
];

/** What a worker that bundles at start passes on to the bundler (the interceptor modules go in WorkerOptions). */
export const BUNDLER_OPTIONS: WorkerOptions['bundlerOptions'] = { preloadModules: PRELOADED_MODULES };

/** Webpack's progress lines say nothing to whoever builds a bundle; its warnings and errors do. */
export const QUIET_BUNDLER_LOGGER: BundleOptions['logger'] = {
  trace() {},
  debug() {},
  info() {},
  log() {},
  warn: console.warn,
  error: console.error,
};

/** The one way our workflow bundle is built: at `npm run build`, in tests and in the bench. */
export function bundleOnboardingWorkflows(logger = QUIET_BUNDLER_LOGGER) {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    preloadModules: PRELOADED_MODULES,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger,
  });
}
