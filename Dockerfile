# syntax=docker/dockerfile:1
# llmux: Node runs the TypeScript sources directly, so the image needs no build step, only the
# production dependencies and a warm compile cache (bin/compile-cache.js says why).

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    LLMUX_HOST=0.0.0.0 \
    LLMUX_PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY web/dist ./web/dist
# The compile cache is keyed by path, content and user id: warmed where it will run, by the user
# that runs llmux (the official image's unprivileged one, uid 1000). Read-only at run time is fine.
RUN mkdir -p node_modules/.cache && chown node:node node_modules/.cache \
 && mkdir -p /data && chown node:node /data
USER node
RUN node bin/warm-compile-cache.js
# The usage ledger (usage.path, relative to the working directory) lives on this volume, so it
# outlives the container; several replicas share PostgreSQL instead (usage.store: postgres).
VOLUME /data
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.LLMUX_PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Config: mount a file and point LLMUX_CONFIG at it, or give provider keys as environment variables.
ENTRYPOINT ["node", "--max-semi-space-size=8", "/app/bin/llmux.js"]
CMD ["serve"]
