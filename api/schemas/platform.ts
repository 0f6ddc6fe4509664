import { Type, type Static } from '@sinclair/typebox';
import type { Connection, Platform } from '../db/platform.repository';
import { Paise, Timestamp, Uuid } from './common';

export const SlugParams = Type.Object(
  { slug: Type.String({ pattern: '^[a-z0-9-]{2,40}$' }) },
  { additionalProperties: false },
);
export const Phone = Type.String({
  pattern: '^\\+?[0-9]{10,15}$',
  description: 'The phone number registered with the platform',
});

export const PlatformView = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    name: Type.String(),
    brandColour: Type.String(),
    enabled: Type.Boolean(),
    logoUrl: Type.Union([Type.String(), Type.Null()], {
      description: 'Cacheable forever: the URL changes with the logo',
    }),
  },
  { $id: 'Platform' },
);

export const AdminPlatformView = Type.Object(
  { ...PlatformView.properties, sortOrder: Type.Integer() },
  { $id: 'AdminPlatform' },
);

export const ConnectionView = Type.Object(
  {
    id: Uuid,
    platform: PlatformView,
    status: Type.Union([Type.Literal('connected'), Type.Literal('disconnected')]),
    connectedAt: Timestamp,
    disconnectedAt: Type.Union([Timestamp, Type.Null()]),
    lastSyncedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'PlatformConnection' },
);

export const SyncProgressView = Type.Object({
  accountsDone: Type.Integer(),
  accountsTotal: Type.Integer(),
  tripsCredited: Type.Integer(),
  amountPaise: Paise,
  failedAccounts: Type.Integer(),
});

export const SyncStatusView = Type.Object({
  state: Type.Union([
    Type.Literal('running'),
    Type.Literal('completed'),
    Type.Literal('failed'),
    Type.Literal('never'),
  ]),
  progress: Type.Union([SyncProgressView, Type.Null()]),
});

export const EarningsByPlatformView = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  amountPaise: Paise,
  trips: Type.Integer(),
});

export const toPlatformView = (p: Platform): Static<typeof PlatformView> => ({
  id: p.id,
  slug: p.slug,
  name: p.name,
  brandColour: p.brandColour,
  enabled: p.enabled,
  logoUrl: p.logo ? `/v1/platforms/${p.slug}/logo?v=${p.logo.sha256.slice(0, 16)}` : null,
});

export const toAdminPlatformView = (p: Platform): Static<typeof AdminPlatformView> => ({
  ...toPlatformView(p),
  sortOrder: p.sortOrder,
});

export const toConnectionView = (c: Connection & { platform: Platform }): Static<typeof ConnectionView> => ({
  id: c.id,
  platform: toPlatformView(c.platform),
  status: c.status,
  connectedAt: c.connectedAt.toISOString(),
  disconnectedAt: c.disconnectedAt?.toISOString() ?? null,
  lastSyncedAt: c.lastSyncedAt?.toISOString() ?? null,
});
