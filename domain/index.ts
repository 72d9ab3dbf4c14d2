/** The business model: types, statuses, the status machine and the rules, with no SDK and no I/O. */
export * from './approval-rules';
export * from './approvals';
export * from './connectivity-backoff';
export * from './initial-view';
export * from './integration-account';
export * from './message-proof';
export * from './onboarding';
export * from './people';
export * from './planned-steps';
export * from './refusal';
export * from './status-machine';
export * from './subscriptions';
export * from './workflow-ids';
export * from './visibility';
