# syntax=docker/dockerfile:1
# recmesh orchestrator: the public Rank API: batching, fan-out to shards and workers, merge, receipts.
# Build from the repository root:
#   docker build -f infra/docker/orchestrator.Dockerfile -t recmesh/orchestrator:0.1.0 .

# 1. The workspaces orchestrator needs, and nothing else (turbo prune): package manifests apart,
#    so that the dependency layer below is rebuilt only when they change.
FROM node:20-bookworm-slim AS prune
WORKDIR /src
RUN npm install --global --no-audit --no-fund turbo@2.11.11
COPY . .
RUN turbo prune @recmesh/orchestrator --docker --out-dir /pruned

# 2. Install and build. python3, make and g++ build native addons (node-gyp) from source.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1 ONNXRUNTIME_NODE_INSTALL=skip
COPY --from=prune /pruned/json/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY --from=prune /pruned/full/ ./
COPY tsconfig.base.json ./
COPY proto ./proto
RUN npm rebuild \
  && npx turbo run build --filter=@recmesh/orchestrator... \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# 3. Run: the built workspaces and production dependencies, owned by root, run as `node`.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
  RECMESH_HOST=0.0.0.0 \
  RECMESH_PORT=50051 \
  RECMESH_METRICS_PORT=9464
WORKDIR /app
COPY --from=build /app ./
COPY infra/docker/healthcheck.cjs ./healthcheck.cjs
USER node
EXPOSE 50051 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "/app/healthcheck.cjs"]
CMD ["node", "services/orchestrator/dist/main.js"]
