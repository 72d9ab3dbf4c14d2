import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';

/**
 * What Temporal knows of the workflow id's latest run, or undefined when it has none. Any other failure
 * (Temporal unreachable) is thrown: "no such workflow" must be known, not assumed.
 */
export async function describeWorkflow(
  client: Client,
  workflowId: string,
): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Whether Temporal runs an execution of this workflow id now: false when it has none, or only closed ones. */
export async function isWorkflowRunning(client: Client, workflowId: string): Promise<boolean> {
  return (await describeWorkflow(client, workflowId))?.status.name === 'RUNNING';
}
