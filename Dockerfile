# syntax=docker/dockerfile:1

# Switchyard: one image for every app (api, worker, mock-provider, standalone); the command picks.
#   docker build -t switchyard .
#   docker run --rm -p 8080:8080 -e SWITCHYARD_CONFIG=/config/switchyard.yaml -v ./config:/config:ro switchyard
# docker-compose.yml runs the api, workers, Redis and the mock provider from it.

# ---- build: compile TypeScript with the full toolchain ------------------------------------------
FROM node:24 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
RUN npm run build

# ---- runtime: production dependencies and dist/ only, on the image's own node, as a non-root user
FROM node:24-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The `node` package (which pins Node for npm scripts) is a devDependency, so it is left out here
# and the image's node runs the apps.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
# The api by default; docker-compose.yml sets the command of each service:
#   worker:        node dist/apps/worker/src/main.js
#   mock-provider: node dist/apps/mock-provider/src/main.js
CMD ["node", "dist/apps/api/src/main.js"]
