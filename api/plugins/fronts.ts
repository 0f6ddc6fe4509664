import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCode } from '../errors';
import { sendError } from './error-handler';

/** One built single-page front: the URL prefix it owns and the page that answers its deep links. */
interface Front {
  prefix: string;
  dist: string;
  /** Deep links (no file extension) under `under` get this page, relative to dist: client-side routing. */
  fallbacks: { under: string; page: string }[];
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves the built fronts from the API, so one origin carries pages, REST and Socket.IO (the CSP stays 'self'):
 * the landing page at `/`, the admin portal at `/admin/`, the worker app at `/app/`. Files under assets/ carry a
 * content hash and are cached for a year; HTML, the manifest and the service worker never are, so a deploy is seen
 * on the next load. A front that was not built answers 404, and the API works without it. Anything else that no
 * route matches gets the API's JSON 404.
 */
async function frontRoutes(fastify: FastifyInstance, opts: { frontsDir: string }) {
  const root = path.resolve(opts.frontsDir);
  const workerApp: Front = {
    prefix: '/app/',
    dist: path.join(root, 'worker-app', 'dist'),
    fallbacks: [{ under: '/app/', page: 'index.html' }],
  };
  const adminWeb: Front = {
    prefix: '/',
    dist: path.join(root, 'admin-web', 'dist'),
    fallbacks: [{ under: '/admin/', page: 'admin/index.html' }],
  };
  for (const front of [adminWeb, workerApp]) {
    if (!existsSync(front.dist)) fastify.log.info({ dist: front.dist }, 'front not built: npm run build:fronts');
  }

  // sendFile only; the routes are ours, so they carry an access rule like every other route.
  await fastify.register(fastifyStatic, { root, serve: false });

  const notFound = (request: FastifyRequest, reply: FastifyReply, url: string) =>
    sendError(reply, request, 404, { code: ErrorCode.NOT_FOUND, message: `No route ${request.method} ${url}` });

  fastify.setNotFoundHandler((request, reply) => notFound(request, reply, request.url.split('?')[0] ?? '/'));

  const servePage = (request: FastifyRequest, reply: FastifyReply) => {
    let url: string;
    try {
      url = decodeURIComponent(request.url.split('?')[0] ?? '/');
    } catch {
      return notFound(request, reply, request.url);
    }
    if (url.startsWith('/v1/') || url.includes('\0')) return notFound(request, reply, url);
    const front = url === '/app' || url.startsWith(workerApp.prefix) ? workerApp : adminWeb;
    const relative = path.posix.normalize(url.slice(front.prefix.length - 1)).replace(/^\/+/, '');
    if (relative.startsWith('..')) return notFound(request, reply, url);

    const file = relative === '' || relative.endsWith('/') ? path.posix.join(relative, 'index.html') : relative;
    if (isFile(path.join(front.dist, file))) {
      const hashed = file.startsWith('assets/');
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.sendFile(file, front.dist, { cacheControl: false });
    }
    if (path.posix.extname(url) === '') {
      const withSlash = url.endsWith('/') ? url : `${url}/`;
      const fallback = front.fallbacks.find((f) => withSlash.startsWith(f.under));
      if (fallback && isFile(path.join(front.dist, fallback.page))) {
        return reply.header('cache-control', 'no-cache').sendFile(fallback.page, front.dist, { cacheControl: false });
      }
    }
    return notFound(request, reply, url);
  };

  fastify.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    config: { access: 'public' },
    schema: { hide: true },
    handler: servePage,
  });
  fastify.route({
    method: ['GET', 'HEAD'],
    url: '/',
    config: { access: 'public' },
    schema: { hide: true },
    handler: servePage,
  });
}

export default fp(frontRoutes, { name: 'fronts', dependencies: ['error-handler'] });
