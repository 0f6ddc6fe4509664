import { Type, type Static, type TObject } from '@sinclair/typebox';
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

/** The range an amount must fall in (both ends allowed), as a refusal names it. */
export const AmountRangeDetails = Type.Object(
  {
    minPaise: Type.Integer({ minimum: 0, description: 'Smallest amount allowed, integer paise' }),
    maxPaise: Type.Integer({ minimum: 0, description: 'Largest amount allowed, integer paise' }),
  },
  { additionalProperties: false },
);

/**
 * The error shape with `details` declared for the refusals a route names, so a client can word each one with its
 * figures in any language. Give exact shapes (`additionalProperties: false`): the serializer takes the first
 * branch that fits and writes only its keys. An error with other details, or none, fits the last, open branch.
 */
export function refusalErrorResponse(description: string, details: TObject[]) {
  return Type.Object(
    {
      error: Type.Object({
        code: ErrorResponse.properties.error.properties.code,
        message: Type.String(),
        requestId: Type.String(),
        details: Type.Optional(Type.Union([...details, Type.Record(Type.String(), Type.Unknown())])),
      }),
    },
    { description },
  );
}

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
