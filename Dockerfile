# The Switchyard worker image (also runs the client, e.g. `switchyard setup`).
# Production dependencies only; the workflow bundle is prebuilt here, so a worker never
# bundles at start; no secret is baked in (every setting comes from the environment at run
# time, see .env.example); runs as the unprivileged `node` user (uid 1000). TypeScript runs through tsx,
# exactly as `npm run worker` does: there is no separate build step to forget.
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

# 1. Production dependencies (tsx and the Temporal SDK are among them).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 2. The workflow bundle, built with those same dependencies.
FROM deps AS bundle
COPY tsconfig.json ./
COPY src ./src
COPY scripts/bundle-workflows.ts ./scripts/bundle-workflows.ts
RUN node --import tsx scripts/bundle-workflows.ts dist/workflow-bundle.js

# 3. The runtime: dependencies, sources, the bundle; nothing else.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    SWITCHYARD_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    SWITCHYARD_OUTBOX_ROOT=/data/outbox
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY examples ./examples
COPY --from=bundle /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
# The outbox (file: deliveries) is a volume the unprivileged user owns; 1000 is the
# official Node image's `node` user, numeric so a host can resolve it.
RUN mkdir -p /data/outbox && chown 1000:1000 /data/outbox
USER 1000:1000
VOLUME ["/data/outbox"]
# The SDK drains on SIGTERM: it stops polling and lets in-flight tasks finish for up to
# 30 s (shutdownGraceTime in src/worker.ts); give the container longer than that to stop.
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/worker.ts"]
