import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
// The API in development (npm run api); the built pages are served by the API itself in production.
const api = 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
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
});
