# SIGLA's HTTP server (`sigla serve`) on CPU, linux/amd64 or linux/arm64.
#
#   docker build -t sigla .
#   docker run -p 8700:8700 -v sigla-data:/data -e SIGLA_API_KEY=change-me --stop-timeout 15 sigla
#
# The store lives in the /data volume (SIGLA_HOME) unless the command names another (`serve -s s3://bucket/prefix`
# with SIGLA_STORAGE_* options). The embedder is the offline use-lite: no model is downloaded at run time.
# Checked against lib/server/settings.ts (port, probes, variables) by lib/server/deploy.test.ts.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- Build: production dependencies, pruned to what a CPU server on this platform loads ----------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# binutils: `strip` for the native binaries' symbol tables (scripts/docker-prune.sh).
RUN apt-get update \
  && apt-get install -y --no-install-recommends binutils \
  && rm -rf /var/lib/apt/lists/*
# .npmrc keeps install scripts off: every native package ships its prebuilt binary inside an npm package.
# npm 10 (Node 20's) is required: npm 11 rejects this lockfile's pruned optional platform entries.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force
COPY scripts/docker-prune.sh scripts/docker-prune.sh
RUN sh scripts/docker-prune.sh /app && rm -rf scripts
# The sources tsx runs (bin/sigla.js loads them); lib/ imports bench/ and datasets/sample. Tests are left out
# by .dockerignore.
COPY tsconfig.json ./
COPY bin bin
COPY lib lib
COPY repl repl
COPY bench bench
COPY datasets datasets

# --- Runtime -------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
  SIGLA_HOST=0.0.0.0 \
  SIGLA_PORT=8700 \
  SIGLA_HOME=/data \
  SIGLA_EMBEDDER=use-lite \
  LANCEDB_LOG=error
WORKDIR /app
# The app is root's and read-only to the server, which runs as `node` (uid 1000) and writes only to /data.
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8700
# Readiness, not liveness: 200 once the store is open (no API key needed). Node's fetch, as slim has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SIGLA_PORT||8700)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `sigla serve` finishes requests in flight on SIGTERM (SIGLA_SHUTDOWN_TIMEOUT_MS, default 10 s), then closes
# the store; give `docker stop` more than that (`docker run --stop-timeout 15`, `docker stop -t 15`).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/sigla.js"]
CMD ["serve", "-s", "/data/store"]
