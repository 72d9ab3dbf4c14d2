import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { activityLogContext } from './activity-log-context';
import { BUNDLER_OPTIONS, WORKFLOWS_PATH } from './workflow-bundle';

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
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    dataConverter,
    interceptors: { activity: [activityLogContext] },
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: BUNDLER_OPTIONS }),
    maxCachedWorkflows: options.maxCachedWorkflows,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities,
    maxConcurrentLocalActivityExecutions: options.maxConcurrentActivities,
    // Let in-flight activities finish on SIGTERM instead of leaving them to time out.
    shutdownGraceTime: '10s',
  });
}
