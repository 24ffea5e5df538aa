# syntax=docker/dockerfile:1

# ---- build: compile TypeScript and the native better-sqlite3 addon ----
# Both stages use the same base so the addon built here matches the runtime glibc and Node ABI.
# Node 22 LTS in the image; package.json engines still allow Node 20 for local use.
FROM node:22-bookworm-slim AS build

# better-sqlite3 compiles with node-gyp when no prebuilt binary fits (other arch, no network)
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Manifests first, so the dependency layer is reused while only sources change
COPY package.json package-lock.json ./
# No --ignore-scripts: better-sqlite3's install script must fetch or build its addon.
# package.json "allowScripts" lists it for npm versions that enforce that allow-list.
RUN npm ci

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY routes ./routes
# Fail the build here, not at first request, if the native addon did not load
RUN npm run build \
  && npm prune --omit=dev \
  && node -e "new (require('better-sqlite3'))(':memory:').close()"

# ---- runtime ----
FROM node:22-bookworm-slim

ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=8888 \
  SPOTIFY_PROXY_DB=/data/spotify-csv-proxy.sqlite

WORKDIR /app

# package.json is needed at runtime: "type": "module" makes dist/*.js load as ESM
COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY demo-library ./demo-library
COPY public ./public

# Create /data owned by the runtime user before VOLUME, so a fresh named volume inherits
# that owner and SQLite can write to it
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data

EXPOSE 8888

# Slim images have no curl; Node has a global fetch
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8888) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "dist/src/cli.js", "serve"]
