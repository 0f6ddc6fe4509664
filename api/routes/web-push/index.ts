import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebPushSubscriptionRepository } from '../../db/web-push-subscription.repository';
import { AppError, ErrorCode } from '../../errors';
import { requireWorker } from '../../plugins/auth';
import { commonErrorResponses, IdParams, Timestamp, Uuid } from '../../schemas/common';
import { pushEndpointProblem, type PushEndpointPolicy } from '../../services/web-push.service';

const Base64Url = (min: number, max: number, description: string) =>
  Type.String({ minLength: min, maxLength: max, pattern: '^[A-Za-z0-9_-]+={0,2}$', description });

/** The browser's PushSubscription.toJSON(), as the PWA sends it. */
export const WebPushSubscriptionBody = Type.Object(
  {
    endpoint: Type.String({ minLength: 10, maxLength: 2048, description: 'The push service URL the browser gave' }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    keys: Type.Object(
      {
        // An uncompressed P-256 point is 65 bytes (87 base64url characters); the auth secret 16 bytes (22).
        p256dh: Base64Url(80, 100, "The browser's ECDH public key"),
        auth: Base64Url(16, 32, 'The shared auth secret'),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** Endpoints and keys are not echoed: the browser has them, and lists need only tell subscriptions apart. */
export const WebPushSubscriptionView = Type.Object({
  id: Uuid,
  createdAt: Timestamp,
  lastSuccessAt: Type.Union([Timestamp, Type.Null()]),
});

const toView = (s: { id: string; createdAt: Date; lastSuccessAt: Date | null }) => ({
  id: s.id,
  createdAt: s.createdAt.toISOString(),
  lastSuccessAt: s.lastSuccessAt?.toISOString() ?? null,
});

/** Web Push for the worker PWA: the server's VAPID key, and the browser subscriptions that receive pushes. */
const webPushRoutes: FastifyPluginAsyncTypebox<{
  subscriptions: WebPushSubscriptionRepository;
  publicKey: string | undefined;
  endpointPolicy: PushEndpointPolicy;
}> = async (fastify, { subscriptions, publicKey, endpointPolicy }) => {
  const security = [{ bearer: [] }];

  fastify.get(
    '/v1/web-push/public-key',
    {
      config: { access: 'public' },
      schema: {
        tags: ['devices'],
        summary: "The server's VAPID public key, for PushManager.subscribe({ applicationServerKey })",
        description: '`enabled: false` (and a null key) when this deployment sends no Web Push.',
        response: {
          200: Type.Object({ enabled: Type.Boolean(), publicKey: Type.Union([Type.String(), Type.Null()]) }),
          ...commonErrorResponses,
        },
      },
    },
    async () => ({ enabled: publicKey !== undefined, publicKey: publicKey ?? null }),
  );

  fastify.post(
    '/v1/me/web-push/subscriptions',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['devices'],
        summary: "Register this browser's push subscription",
        description:
          'Idempotent: 201 when the endpoint is new for you (one another worker registered moves to you), 200 when ' +
          'it was already yours (its keys are refreshed). Call it after every sign-in and when the browser renews it.',
        security,
        body: WebPushSubscriptionBody,
        response: { 200: WebPushSubscriptionView, 201: WebPushSubscriptionView, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const { endpoint, keys } = request.body;
      const problem = pushEndpointProblem(endpoint, endpointPolicy);
      if (problem) throw new AppError(ErrorCode.VALIDATION_FAILED, problem, { field: 'endpoint' });
      const { subscription, created } = await subscriptions.save({
        workerId: requireWorker(request),
        endpoint,
        p256dh: keys.p256dh,
        auth: keys.auth,
      });
      return reply.code(created ? 201 : 200).send(toView(subscription));
    },
  );

  fastify.get(
    '/v1/me/web-push/subscriptions',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['devices'],
        summary: 'My browsers registered for push notifications',
        security,
        response: { 200: Type.Object({ items: Type.Array(WebPushSubscriptionView) }), ...commonErrorResponses },
      },
    },
    async (request) => ({ items: (await subscriptions.listForWorker(requireWorker(request))).map(toView) }),
  );

  fastify.delete(
    '/v1/me/web-push/subscriptions/:id',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['devices'],
        summary: 'Stop push notifications to one of my browsers (call it on sign-out)',
        security,
        params: IdParams,
        response: { 204: Type.Null(), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      if (!(await subscriptions.deleteOwned(requireWorker(request), request.params.id))) {
        throw AppError.notFound('Push subscription');
      }
      return reply.code(204).send(null);
    },
  );
};

export default webPushRoutes;
