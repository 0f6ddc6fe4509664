import { Type, type Static } from '@sinclair/typebox';
import type { AdminIdentity } from '../db/identity.repository';
import type { AuditRecord } from '../db/audit.repository';
import type { SessionTokens } from '../services/session.service';
import { AdminRole, Timestamp, Uuid } from './common';

const Email = Type.String({ format: 'email', maxLength: 254 });
/** E.164 with a country code, or an Indian 10-digit mobile number (+91 is added). */
const Phone = Type.String({
  pattern: '^(\\+[1-9][0-9]{9,14}|[6-9][0-9]{9})$',
  description: '+919876543210 or 9876543210',
});
const Code = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code' });

export const ContactBody = Type.Union(
  [
    Type.Object({ email: Email }, { additionalProperties: false }),
    Type.Object({ phone: Phone }, { additionalProperties: false }),
  ],
  { description: 'Exactly one of email or phone' },
);

export const CodeSignInBody = Type.Union([
  Type.Object({ email: Email, code: Code }, { additionalProperties: false }),
  Type.Object({ phone: Phone, code: Code }, { additionalProperties: false }),
]);

export const CodeSentView = Type.Object({
  expiresAt: Timestamp,
  resendAfter: Timestamp,
});

export const SessionView = Type.Object({
  accessToken: Type.String(),
  expiresAt: Type.String({ format: 'date-time', description: 'When the access token stops working' }),
  refreshToken: Type.String({ description: 'Single use: each refresh returns a new one' }),
  refreshExpiresAt: Timestamp,
  sessionId: Uuid,
  subjectId: Uuid,
});
export type SessionView = Static<typeof SessionView>;

export const toSessionView = (tokens: SessionTokens, subjectId: string): SessionView => ({
  accessToken: tokens.accessToken,
  expiresAt: tokens.expiresAt.toISOString(),
  refreshToken: tokens.refreshToken,
  refreshExpiresAt: tokens.refreshExpiresAt.toISOString(),
  sessionId: tokens.sessionId,
  subjectId,
});

export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

const Username = Type.String({ pattern: '^[a-z0-9._-]{3,40}$', description: 'Lower-case letters, digits, . _ -' });
const Password = Type.String({ minLength: 1, maxLength: 200 });

export const AdminPasswordBody = Type.Object(
  { username: Username, password: Password },
  { additionalProperties: false },
);
export const AdminChallengeView = Type.Object({
  challengeToken: Type.String({ description: 'Send it with the authenticator code' }),
  expiresAt: Timestamp,
  secondFactor: Type.Literal('totp'),
});
export const AdminSecondFactorBody = Type.Object(
  { challengeToken: Type.String({ minLength: 1, maxLength: 100 }), code: Code },
  { additionalProperties: false },
);

export const AdminView = Type.Object({
  id: Uuid,
  username: Type.String(),
  role: AdminRole,
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  disabled: Type.Boolean(),
  createdAt: Timestamp,
});
export type AdminView = Static<typeof AdminView>;
export const toAdminView = (a: AdminIdentity): AdminView => ({
  id: a.id,
  username: a.username,
  role: a.role,
  email: a.email,
  phone: a.phone,
  disabled: a.disabledAt !== null,
  createdAt: a.createdAt.toISOString(),
});

export const AdminSessionView = Type.Intersect([SessionView, Type.Object({ admin: AdminView })]);

export const CreateAdminBody = Type.Object(
  {
    username: Username,
    role: AdminRole,
    password: Type.String({ minLength: 12, maxLength: 128, description: 'At least 12 characters' }),
    email: Type.Optional(Email),
    phone: Type.Optional(Phone),
  },
  { additionalProperties: false },
);
export const CreatedAdminView = Type.Object({
  admin: AdminView,
  enrolment: Type.Object({
    totpSecret: Type.String({ description: 'Shown once: hand it to the new admin for their authenticator app' }),
    otpauthUri: Type.String(),
  }),
});
export const UpdateAdminBody = Type.Object(
  { role: Type.Optional(AdminRole), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export const ChangePasswordBody = Type.Object(
  { currentPassword: Password, newPassword: Type.String({ minLength: 12, maxLength: 128 }) },
  { additionalProperties: false },
);

export const AuditQuerystring = Type.Object(
  {
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
    actorId: Type.Optional(Uuid),
    targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    outcome: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('refused'), Type.Literal('failed')])),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    cursor: Type.Optional(
      Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'nextCursor of the previous page' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
export const AuditEntryView = Type.Object({
  id: Type.Integer(),
  occurredAt: Timestamp,
  actorKind: Type.String(),
  actorId: Type.Union([Uuid, Type.Null()]),
  action: Type.String(),
  outcome: Type.String(),
  targetKind: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export const AuditPageView = Type.Object({
  entries: Type.Array(AuditEntryView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export const toAuditEntryView = (r: AuditRecord): Static<typeof AuditEntryView> => ({
  ...r,
  occurredAt: r.occurredAt.toISOString(),
});
