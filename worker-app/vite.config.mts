import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
// The API in development (npm run api); the built app is served by the API itself at /app/.
const api = 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/app/',
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/v1': { target: api, changeOrigin: false },
      '/socket.io': { target: api, ws: true },
    },
  },
});
