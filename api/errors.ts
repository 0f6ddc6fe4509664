/** One error type for the whole backend: a stable code, a user-safe message and optional details. */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  DECISION_NOT_ALLOWED: 'DECISION_NOT_ALLOWED',
  AMOUNT_OUT_OF_RANGE: 'AMOUNT_OUT_OF_RANGE',
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  ALLOWANCE_USED_UP: 'ALLOWANCE_USED_UP',
  PLAN_CAP_REACHED: 'PLAN_CAP_REACHED',
  SLOT_LIMIT_REACHED: 'SLOT_LIMIT_REACHED',
  HOLD_ALREADY_RESOLVED: 'HOLD_ALREADY_RESOLVED',
  ALREADY_REVERSED: 'ALREADY_REVERSED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'RATE_LIMITED',
  DEPENDENCY_UNAVAILABLE: 'DEPENDENCY_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const httpStatusByCode: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  IDEMPOTENCY_KEY_REUSED: 422,
  DECISION_NOT_ALLOWED: 409,
  AMOUNT_OUT_OF_RANGE: 422,
  INSUFFICIENT_FUNDS: 422,
  ALLOWANCE_USED_UP: 422,
  PLAN_CAP_REACHED: 422,
  SLOT_LIMIT_REACHED: 422,
  HOLD_ALREADY_RESOLVED: 409,
  ALREADY_REVERSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  DEPENDENCY_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get statusCode(): number {
    return httpStatusByCode[this.code];
  }

  static notFound(what: string): AppError {
    return new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
  }
}
