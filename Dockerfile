# One image for every c1m process on a cluster: the servers (node servers/NAME/dist/main.js) and
# the load generator (c1m-load). infra/k8s uses it for the server Deployment, the load Job and
# node tuning. Build from the repository root: docker build -t c1m .
# (Not built where it was written: no docker daemon there. infra/test/k8s-manifests.test.ts checks
# that what it copies and runs exists.)

FROM node:20-bookworm-slim AS build
WORKDIR /c1m
RUN corepack enable
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml turbo.json tsconfig.base.json ./
COPY packages ./packages
COPY servers ./servers
COPY clients ./clients
COPY infra ./infra
RUN pnpm install --frozen-lockfile
RUN pnpm run build

FROM node:20-bookworm-slim
WORKDIR /c1m
# The built workspace: measured processes run bundled dist/*.js under plain node; node_modules
# stays for what the bundles keep external (the native uWebSockets.js builds).
COPY --from=build /c1m /c1m
COPY infra/docker/entrypoint.sh /usr/local/bin/c1m-entrypoint
COPY infra/docker/c1m-load.sh /usr/local/bin/c1m-load
ENTRYPOINT ["/usr/local/bin/c1m-entrypoint"]
CMD ["c1m-load", "--help"]
