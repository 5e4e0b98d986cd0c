# syntax=docker/dockerfile:1
# One image for every Vigil process: the chart runs it as the coordinator, the four agents and the
# gate by choosing the command (node /app/dist/workers/<name>.js, node /app/dist/gate/main.js).
#   docker build -t vigil:0.1.0 .
# Pin the base images by digest in your registry mirror (FROM node:...@sha256:...) and deploy the
# result by digest (image.digest in the chart; kyverno.requireImageDigest enforces it).

ARG NODE_VERSION=20.19.5
# The policy bundle is compiled with the same OPA release scripts/setup.sh pins (v1.22.2).
ARG OPA_VERSION=1.22.2

FROM openpolicyagent/opa:${OPA_VERSION}-static AS opa

# --- build: compile TypeScript, prebundle the workflow code, build the Rego bundle to wasm ------
# Debian (glibc), not Alpine: Temporal's core-bridge ships glibc builds of its native module.
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
ENV NPM_CONFIG_AUDIT=false NPM_CONFIG_FUND=false NPM_CONFIG_UPDATE_NOTIFIER=false
# Dependencies first, so source edits reuse this layer.
COPY package.json package-lock.json ./
# `npm install` with the lock present installs the locked versions; `npm ci` refuses this lock
# (npm 11 records @swc/core's platform packages for Linux only).
RUN npm install
COPY . .
COPY --from=opa /opa /usr/local/bin/opa
RUN OPA_BIN=/usr/local/bin/opa npm run build \
 && npm prune --omit=dev \
 && npm cache clean --force

# --- runtime: production dependencies and build output only, read-only, non-root ----------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    VIGIL_OPS_PORT=9464 \
    VIGIL_POLICY_DIR=/app/policies/build \
    VIGIL_PROMPT_FILE=/app/prompts/analysis.yaml
WORKDIR /app
# Owned by root and not writable by the process: the chart also mounts the root filesystem
# read-only, with an emptyDir on /tmp.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/policies/build ./policies/build
COPY --from=build /src/prompts ./prompts
# A numeric uid (not the image's `node` user name), so Kubernetes can verify runAsNonRoot.
USER 10001:10001
EXPOSE 9464 8443
ENTRYPOINT ["node"]
CMD ["/app/dist/workers/coordinator.js"]
