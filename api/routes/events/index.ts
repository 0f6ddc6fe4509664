import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { eventCatalogue } from '../../realtime/event-catalogue';

/** The real-time event catalogue (docs/events.md) as JSON Schema, for the fronts and native apps. */
const eventRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/v1/events/catalogue',
    {
      config: { access: 'public' },
      schema: {
        tags: ['events'],
        summary: 'Socket.IO event names, audiences and payload schemas (versioned)',
        response: {
          200: Type.Object({
            version: Type.Integer(),
            envelope: Type.Unknown(),
            events: Type.Record(Type.String(), Type.Object({ audience: Type.String(), payload: Type.Unknown() })),
          }),
        },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300');
      return eventCatalogue;
    },
  );
};

export default eventRoutes;
