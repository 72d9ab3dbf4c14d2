import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/**
 * Whether Temporal runs an execution of this workflow id now: false when it has none, or only closed
 * ones. Any other failure (Temporal unreachable) is thrown, since "not running" must be known, not assumed.
 */
export async function isWorkflowRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
