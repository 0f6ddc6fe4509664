import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DeviceToken } from '../../db/device-token.repository';
import { requireWorker } from '../../plugins/auth';
import { commonErrorResponses, IdParams, Timestamp, Uuid } from '../../schemas/common';
import type { DeviceService } from '../../services/device.service';

const Platform = Type.Union([Type.Literal('android'), Type.Literal('ios'), Type.Literal('web')]);

export const RegisterDeviceBody = Type.Object(
  {
    token: Type.String({
      minLength: 1,
      maxLength: 4096,
      // FCM registration tokens are printable ASCII without spaces.
      pattern: '^[\\x21-\\x7E]+$',
      description: 'The FCM registration token of this app install',
    }),
    platform: Platform,
  },
  { additionalProperties: false },
);

/** The token itself is not echoed back: the app has it, and lists need only tell devices apart. */
export const DeviceView = Type.Object({
  id: Uuid,
  platform: Platform,
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
});

const toDeviceView = (d: DeviceToken) => ({
  id: d.id,
  platform: d.platform,
  createdAt: d.createdAt.toISOString(),
  lastSeenAt: d.lastSeenAt.toISOString(),
});

const deviceRoutes: FastifyPluginAsyncTypebox<{ devices: DeviceService }> = async (fastify, { devices }) => {
  fastify.post(
    '/v1/me/devices',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['devices'],
        summary: 'Register this device for push notifications',
        description:
          'Idempotent: 201 when the token is new for you (a token another worker registered moves to you), ' +
          '200 when it was already yours (its last-seen time is refreshed). Call it after every sign-in and ' +
          'whenever FCM rotates the token.',
        security: [{ bearer: [] }],
        body: RegisterDeviceBody,
        response: { 200: DeviceView, 201: DeviceView, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const { device, created } = await devices.register({ workerId: requireWorker(request), ...request.body });
      return reply.code(created ? 201 : 200).send(toDeviceView(device));
    },
  );

  fastify.get(
    '/v1/me/devices',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['devices'],
        summary: 'My devices registered for push notifications',
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ items: Type.Array(DeviceView) }), ...commonErrorResponses },
      },
    },
    async (request) => ({ items: (await devices.list(requireWorker(request))).map(toDeviceView) }),
  );

  fastify.delete(
    '/v1/me/devices/:id',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['devices'],
        summary: 'Stop push notifications to one of my devices (call it on sign-out)',
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 204: Type.Null(), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      await devices.remove({ workerId: requireWorker(request), deviceId: request.params.id });
      return reply.code(204).send(null);
    },
  );
};

export default deviceRoutes;
