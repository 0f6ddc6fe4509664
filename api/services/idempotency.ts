import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '../errors';

/** A stable digest of what a request asked for, stored with its result under the Idempotency-Key. */
export const fingerprintOf = (request: unknown): string =>
  createHash('sha256').update(JSON.stringify(request)).digest('hex');

/**
 * The result stored earlier under this key: returned when the request is the same, refused when it differs
 * (a reused key must never silently stand for a different operation). Undefined when the key is new.
 */
export function replayOf<T extends { requestFingerprint: string }>(
  earlier: T | undefined,
  fingerprint: string,
  refusal: string,
): T | undefined {
  if (!earlier) return undefined;
  if (earlier.requestFingerprint !== fingerprint) throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, refusal);
  return earlier;
}
