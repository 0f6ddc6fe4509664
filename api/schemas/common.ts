import { Type, type Static } from '@sinclair/typebox';
import { ErrorCode } from '../errors';

export const Uuid = Type.String({ format: 'uuid' });
export const Paise = Type.Integer({ minimum: 0, description: 'Integer paise (₹1 = 100 paise)' });
export const Currency = Type.Literal('INR');
export const Timestamp = Type.String({ format: 'date-time' });

export const AdminRole = Type.Union([
  Type.Literal('viewer'),
  Type.Literal('approver'),
  Type.Literal('senior_approver'),
  Type.Literal('superadmin'),
]);

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const IdempotencyKeyHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 8,
    maxLength: 128,
    pattern: '^[A-Za-z0-9._:-]+$',
    description: 'Unique per intended operation; a retry reuses it and gets the original result',
  }),
});

/** The one error shape of SPEC §13. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.values(ErrorCode).map((code) => Type.Literal(code))),
      message: Type.String(),
      requestId: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'ErrorResponse' },
);
export type ErrorResponse = Static<typeof ErrorResponse>;

/** Error responses every route can produce, for its `response` schema. */
export const commonErrorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  413: ErrorResponse,
  415: ErrorResponse,
  429: ErrorResponse,
  500: ErrorResponse,
  503: ErrorResponse,
};
