import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, ErrorCode } from '../../errors';
import { requireWorker } from '../../plugins/auth';
import { commonErrorResponses, IdParams, Timestamp, Uuid } from '../../schemas/common';
import type { DocumentService, StoredDocument } from '../../services/document.service';

export const DocumentView = Type.Object({
  id: Uuid,
  purpose: Type.Union([Type.Literal('loan_proof'), Type.Literal('claim_proof')]),
  contentType: Type.String(),
  byteSize: Type.Integer(),
  attached: Type.Boolean(),
  createdAt: Timestamp,
});

export const toDocumentView = (d: StoredDocument) => ({
  id: d.id,
  purpose: d.purpose,
  contentType: d.contentType,
  byteSize: d.byteSize,
  attached: d.attachedTo !== null,
  createdAt: d.createdAt.toISOString(),
});

/** Sends a stored document so a browser never runs it: attachment, exact type, no sniffing, no scripts. */
export function documentHeaders(d: StoredDocument): Record<string, string> {
  return {
    'content-type': d.contentType,
    'content-disposition': `attachment; filename="${d.id}.${d.contentType.split('/')[1]}"`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, no-store',
  };
}

const documentRoutes: FastifyPluginAsyncTypebox<{ documents: DocumentService; maxBytes: number }> = async (
  fastify,
  opts,
) => {
  const { documents } = opts;
  // The file is the body; the declared type is only a hint, the bytes are sniffed by the service.
  fastify.addContentTypeParser(
    ['image/jpeg', 'image/png', 'application/pdf'],
    { parseAs: 'buffer', bodyLimit: opts.maxBytes },
    (_request, body, done) => done(null, body),
  );

  fastify.post(
    '/v1/documents',
    {
      config: { access: 'worker', rateLimit: fastify.rateLimits.uploads },
      schema: {
        tags: ['documents'],
        summary: 'Upload a proof document (JPEG, PNG or PDF body, at most 5 MB) for a loan or a claim',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          { purpose: Type.Union([Type.Literal('loan_proof'), Type.Literal('claim_proof')]) },
          { additionalProperties: false },
        ),
        response: { 201: DocumentView, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const workerId = requireWorker(request);
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          'Send the document as image/jpeg, image/png or application/pdf',
        );
      }
      const stored = await documents.upload(workerId, request.query.purpose, request.body);
      return reply.code(201).send(toDocumentView(stored));
    },
  );

  fastify.get(
    '/v1/documents/:id',
    {
      config: { access: 'worker' },
      schema: {
        tags: ['documents'],
        summary: 'One of your own documents (the file)',
        security: [{ bearer: [] }],
        params: IdParams,
      },
    },
    async (request, reply) => {
      const workerId = requireWorker(request);
      const { document, bytes } = await documents.read(request.params.id, workerId);
      return reply.headers(documentHeaders(document)).send(bytes);
    },
  );

  fastify.get(
    '/v1/admin/documents/:id',
    {
      config: { access: 'admin:viewer' },
      schema: {
        tags: ['admin'],
        summary: 'A proof document attached to a request (the file)',
        security: [{ bearer: [] }],
        params: IdParams,
      },
    },
    async (request, reply) => {
      const { document, bytes } = await documents.read(request.params.id);
      return reply.headers(documentHeaders(document)).send(bytes);
    },
  );
};

export default documentRoutes;
