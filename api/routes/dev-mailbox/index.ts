import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DevMailbox } from '../../services/message-delivery';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const MessageView = Type.Object({
  channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
  to: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  sentAt: Type.String({ format: 'date-time' }),
});

/**
 * Development mode only (app.ts never registers it in production): what the sign-in code senders would have
 * sent, as a page for people and as JSON for scripts and tests.
 */
const devMailboxRoutes: FastifyPluginAsyncTypebox<{ mailbox: DevMailbox }> = async (fastify, { mailbox }) => {
  fastify.get(
    '/v1/dev/mailbox',
    {
      config: { access: 'public' },
      schema: {
        tags: ['development'],
        summary: 'Development only: messages that would have been sent, newest first',
        querystring: Type.Object(
          { to: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ messages: Type.Array(MessageView) }) },
      },
    },
    async (request) => ({
      messages: mailbox.list(request.query.to).map((m) => ({ ...m, sentAt: m.sentAt.toISOString() })),
    }),
  );

  fastify.get('/dev/mailbox', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const rows = mailbox
      .list()
      .map(
        (m) =>
          `<article><h2>${escapeHtml(m.subject)}</h2><p class="meta">${escapeHtml(m.channel)} to ${escapeHtml(m.to)} · ` +
          `${m.sentAt.toISOString()}</p><pre>${escapeHtml(m.text)}</pre></article>`,
      )
      .join('\n');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5"><title>GigBit dev mailbox</title>
<style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
article{border:1px solid #ccc;border-radius:8px;padding:0 1rem;margin:1rem 0}.meta{color:#555}
pre{white-space:pre-wrap;font-size:1.1rem}</style></head>
<body><h1>Dev mailbox</h1><p>Sign-in codes that would have gone out by email or SMS. This page does not exist in production.</p>
${rows || '<p>Nothing sent yet.</p>'}</body></html>`);
  });
};

export default devMailboxRoutes;
