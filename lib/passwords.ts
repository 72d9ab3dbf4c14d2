import argon2 from 'argon2';

/** People's passwords: argon2id with the OWASP Password Storage Cheat Sheet's minimum (19 MiB, t=2, p=1). */
const OWASP_ARGON2ID = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OWASP_ARGON2ID);
}

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(storedHash, password);
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
