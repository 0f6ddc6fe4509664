import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;
// The API in development (npm run api); the built app is served by the API itself at /app/.
const api = 'http://127.0.0.1:3000';

export default defineConfig(({ mode }) => ({
  root,
  base: '/app/',
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    // As the portal: no source maps in the production build the API serves; `--mode development` writes them.
    sourcemap: mode !== 'production',
  },
  server: {
    proxy: {
      '/v1': { target: api, changeOrigin: false },
      '/socket.io': { target: api, ws: true },
    },
  },
}));
