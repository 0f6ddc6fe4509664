import { authenticator } from 'otplib';

const STEP_SECONDS = 30;

/**
 * RFC 6238 TOTP (SHA-1, 6 digits, 30 s: what every authenticator app speaks), via otplib.
 * `acceptedStep` lets the caller refuse a code whose step was already used, so a code cannot be replayed.
 */
export function createTotp(options: { issuer: string; now?: () => number }) {
  const now = options.now ?? Date.now;
  // One step either side absorbs phone clock drift.
  const totp = authenticator.clone({ window: 1, step: STEP_SECONDS });
  return {
    generateSecret: (): string => authenticator.generateSecret(20),
    provisioningUri: (account: string, secret: string): string => authenticator.keyuri(account, options.issuer, secret),
    /** The step the code belongs to, or undefined when the code is wrong. */
    acceptedStep(code: string, secret: string): number | undefined {
      const at = now();
      totp.options = { epoch: at };
      const delta = totp.checkDelta(code, secret);
      return delta === null ? undefined : Math.floor(at / 1000 / STEP_SECONDS) + delta;
    },
  };
}

export type Totp = ReturnType<typeof createTotp>;
