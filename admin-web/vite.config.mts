import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;
// The API in development (npm run api); the built pages are served by the API itself in production.
const api = 'http://127.0.0.1:3000';

/** In development, deep links under /admin/ get the portal page, as the API's fallback does in production. */
const portalFallback: Plugin = {
  name: 'gigbit-portal-fallback',
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      const path = req.url?.split('?')[0] ?? '';
      if (path.startsWith('/admin/') && !/\.[a-z0-9]+$/i.test(path)) req.url = '/admin/index.html';
      next();
    });
  },
};

export default defineConfig(({ mode }) => ({
  root,
  plugins: [portalFallback],
  base: '/',
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    // No source maps in the production build: the API serves dist/ as it is, and maps would hand anyone the
    // portal's full source. `vite build --mode development` still writes them for debugging a build.
    sourcemap: mode !== 'production',
    rollupOptions: {
      input: {
        landing: resolve(root, 'index.html'),
        portal: resolve(root, 'admin/index.html'),
      },
    },
  },
  server: {
    proxy: {
      '/v1': { target: api, changeOrigin: false },
      '/socket.io': { target: api, ws: true },
    },
  },
}));
