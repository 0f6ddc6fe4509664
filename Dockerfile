# GigBit's one image: the API, the Temporal worker and the migrate job of docker-compose.yml run it with different
# commands. The production build (npm run build: compiled JS, the prebundled workflows, the built fronts) is made
# with every dependency, then only the production dependencies are kept; no TypeScript, tsx or webpack run at start.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production FRONTS_DIR=/app UPLOAD_DIR=/uploads
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/admin-web/dist ./admin-web/dist
COPY --from=build /app/worker-app/dist ./worker-app/dist
# A named volume mounted here takes this folder's owner, so the unprivileged user can store uploads.
RUN mkdir -p /uploads && chown node:node /uploads
USER node
EXPOSE 3000
CMD ["node", "--enable-source-maps", "dist/api/server.js"]
