# Itinera production image: one image for the API, the worker and the one-shot jobs
# (database migrations, Temporal namespace / search-attribute setup).
#
#   docker build -t itinera .
#   docker run --rm -p 3000:3000 -e DATABASE_URL=postgresql://... -e TEMPORAL_ADDRESS=host:7233 itinera
#   docker run --rm ... itinera node --import tsx workers/main.ts   # the worker
#   docker run --rm ... itinera npm run db:migrate         # apply migrations, then exit
#   docker run --rm ... itinera npm run temporal:setup     # namespace + search attributes, then exit
#
# The long-running processes are started with `node --import tsx <entry>.ts`, which is exactly
# what `npm run api` / `npm run worker` run, but without npm and `sh -c` in between: npm (as PID 1
# or under an init) exits as soon as its shell dies on SIGTERM, and the container is then killed
# before the worker has drained its in-flight activities. The tsx *wrapper* (`tsx <entry>.ts`) is
# not used either: it SIGKILLs its child when the child does not confirm a relayed signal within
# about 60 ms, which a busy worker can miss. With `--import tsx` node itself gets SIGTERM.
#
# No Docker engine exists on the development machines; this file is checked by review only.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
# openssl: lets Prisma's platform detection find libssl (its engines run as JS/WASM here, so
# this only avoids a warning and a wrong engine guess).
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl \
 && rm -rf /var/lib/apt/lists/*
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    CHECKPOINT_DISABLE=1
WORKDIR /app

# ---------------------------------------------------------------------------------------------
# Production dependencies + the generated Prisma client. Only the files that `npm ci` and its
# postinstall (`node scripts/install-tools.mjs && prisma generate`) read are copied, so this layer
# is rebuilt only when the lockfile or the schema changes.
FROM base AS deps
# The Temporal CLI / test server that install-tools.mjs would fetch are for development and
# tests only; the image talks to an external Temporal service.
ENV ITINERA_SKIP_TOOLS=1
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/install-tools.mjs ./scripts/
COPY prisma ./prisma
# prisma (CLI), @prisma/client and tsx are regular dependencies, so --omit=dev keeps everything
# the postinstall and the runtime need.
RUN npm ci --omit=dev

# ---------------------------------------------------------------------------------------------
FROM base AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    PATH=/app/node_modules/.bin:$PATH

COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/generated ./generated
# Source (see .dockerignore: no node_modules, generated, .tools, .data, tests, .git).
COPY . .

# Everything above stays root-owned and read-only for the app. `.data` is writable only for the
# embedded-PGlite fallback used when DATABASE_URL is unset (not what containers normally run).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node

EXPOSE 3000

# Liveness of the API process. The worker runs from the same image but serves no HTTP: disable
# this check for it (docker-compose.yml does).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Same as `npm run api`; its Node flags are infra/api-node-flags.ts's (why: there).
CMD ["node", "--v8-pool-size=1", "--import", "tsx", "api/main.ts"]
