import { dictionary } from '@zxcvbn-ts/language-common';
import argon2 from 'argon2';

/** People's passwords: argon2id with the OWASP Password Storage Cheat Sheet's minimum (19 MiB, t=2, p=1). */
const OWASP_ARGON2ID = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;

/**
 * At most this many argon2 computations at once in this process; the rest queue. Each takes 19 MiB and a
 * core for tens of milliseconds, so a burst of logins must not take the process's memory with it.
 * Process-wide on purpose: the CLI and the API share this module, and the limit is the machine's.
 */
let limit = 4;
let running = 0;
const waiting: (() => void)[] = [];
function startNext() {
  while (running < limit && waiting.length > 0) {
    running++;
    waiting.shift()!();
  }
}
export function setPasswordHashConcurrency(concurrency: number): void {
  limit = concurrency;
  startNext();
}
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running < limit) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await fn();
  } finally {
    running--;
    startNext();
  }
}

/** The common-password list of @zxcvbn-ts/language-common (about 50 000 entries), loaded on first use. */
let common: Set<string> | undefined;

/** Why a person's new password is refused, or undefined when it is acceptable (NIST SP 800-63B §3.1.1.2). */
export function passwordProblem(password: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `at least ${MIN_PASSWORD_LENGTH} characters`;
  common ??= new Set(dictionary['passwords-common']);
  if (common.has(password.toLowerCase())) return 'this password is on a list of common passwords: choose another';
  return undefined;
}

export class WeakPasswordError extends Error {}

export function hashPassword(password: string): Promise<string> {
  return limited(() => argon2.hash(password, OWASP_ARGON2ID));
}

/** Hashes a person's new password after checking it against the policy (WeakPasswordError otherwise). */
export function hashNewPassword(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new WeakPasswordError(`the password is refused: ${problem}`);
  return hashPassword(password);
}

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await limited(() => argon2.verify(storedHash, password));
  } catch {
    return false;
  }
}

/** Verifying against a fixed hash keeps a login for an unknown email as slow as one for a known email. */
let decoy: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  decoy ??= hashPassword('decoy password for timing');
  await verifyPassword(await decoy, password);
}
