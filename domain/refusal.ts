/**
 * A business rule said no. `type` names the rule (the API maps it to 403/404/409); the workflow
 * turns it into a non-retryable failure of the same type, so it never reaches the SDK from here.
 */
export class RuleRefusal extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'RuleRefusal';
  }
}
