import { ApplicationFailure } from '@temporalio/common';

/**
 * Failures the retry policy must not retry carry a business type; everything else stays a plain
 * Error, which Temporal retries with backoff (a database restart, an SMTP hiccup, a 503).
 */
export const FAILURE = {
  invalidInput: 'INVALID_INPUT',
  conflict: 'CONFLICT',
} as const;

export function permanent(type: (typeof FAILURE)[keyof typeof FAILURE], message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
