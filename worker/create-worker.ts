import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { tracingWorkerOptions } from '../lib/tracing';
import { activityLogContext } from './activity-log-context';
import { BUNDLER_OPTIONS, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from './workflow-bundle';

export interface OnboardingWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Encrypts payloads; a prebuilt bundle must have been built with the same failure converter path. */
  dataConverter: DataConverter;
  /** A prebuilt bundle (bundleWorkflowCode) skips the few seconds of bundling at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxCachedWorkflows?: number;
  /** Activities and local activities at once; sized to the database pool. */
  maxConcurrentActivities?: number;
}

export function createOnboardingWorker(options: OnboardingWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, deps, workflowBundle, dataConverter } = options;
  // Activity spans and the sink for workflow spans when the process traces; a no-op sink otherwise.
  const tracing = tracingWorkerOptions();
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    dataConverter,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: BUNDLER_OPTIONS }),
    interceptors: {
      // Every activity's log lines carry its workflowId, runId, type and attempt; its span wraps them when tracing.
      activity: [...(tracing.interceptors.activity ?? []), activityLogContext],
      // A prebuilt bundle has them inside already (worker/workflow-bundle.ts); the SDK would warn of them twice.
      ...(workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
    },
    sinks: tracing.sinks,
    maxCachedWorkflows: options.maxCachedWorkflows,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities,
    maxConcurrentLocalActivityExecutions: options.maxConcurrentActivities,
    // Let in-flight activities finish on SIGTERM instead of leaving them to time out.
    shutdownGraceTime: '10s',
  });
}
