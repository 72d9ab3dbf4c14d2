import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces may name business data: they travel as an encoded attribute,
 * which the payload codec then encrypts. Loaded by path, because workflows run in a sandbox.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
