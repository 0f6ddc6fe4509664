import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const memoryFor = (cost: number) => 256 * cost * BLOCK_SIZE;

/**
 * Admin passwords: scrypt (memory-hard, in Node's crypto, no native add-on) with a per-password salt.
 * The stored string names its parameters, so raising the cost later still verifies old hashes.
 * Format: `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>`.
 */
export async function hashPassword(password: string, log2Cost: number): Promise<string> {
  const cost = 2 ** log2Cost;
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, {
    N: cost,
    r: BLOCK_SIZE,
    p: PARALLELISM,
    maxmem: memoryFor(cost),
  });
  return ['scrypt', log2Cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, log2, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !log2 || !r || !p || !salt || !hash) return false;
  const cost = 2 ** Number(log2);
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), {
    N: cost,
    r: Number(r),
    p: Number(p),
    maxmem: memoryFor(cost) * Number(r),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Spends the same time as a real check, so an unknown username cannot be told apart from a wrong password. */
export async function burnPasswordCheck(log2Cost: number): Promise<void> {
  const cost = 2 ** log2Cost;
  await scryptAsync('not-a-password', randomBytes(16), {
    N: cost,
    r: BLOCK_SIZE,
    p: PARALLELISM,
    maxmem: memoryFor(cost),
  });
}
