# ILS server in a container: `ils serve` on 0.0.0.0:9999, everything it keeps under the /data volume.
#   docker build -t ils .
#   docker run -d --name ils -p 9999:9999 -e ILS_TOKEN="$(openssl rand -base64 32)" -v ils-data:/data ils
# See docs/deploy.md (Claude's login, project folders, reaching it from a phone).

# Build stage: the workspace, bundled and packed into the same tarball `npm i -g` installs anywhere.
FROM node:22-slim AS build
# better-sqlite3 compiles from source with node-gyp: python3, make and a C++ compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN npx --yes pnpm@10.34.8 install --frozen-lockfile \
 && cd apps/server \
 && npx --yes pnpm@10.34.8 pack --pack-destination /pkg

# Run stage: the packed server and Claude Code, no sources and no compiler.
FROM node:22-slim
ARG CLAUDE_CODE_VERSION=latest
COPY --from=build /pkg/ /pkg/
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ git ca-certificates \
 && npm_config_build_from_source=true npm install --global --no-audit --no-fund /pkg/*.tgz "@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}" \
 && npm cache clean --force \
 && apt-get purge -y --auto-remove python3 make g++ \
 && rm -rf /var/lib/apt/lists/* /pkg \
 && mkdir -p /data/claude /workspace \
 && chown -R node:node /data /workspace

# Not root: Claude Code refuses --dangerously-skip-permissions as root, and a run can only touch what `node` may.
USER node
ENV ILS_HOST=0.0.0.0 \
    ILS_PORT=9999 \
    ILS_DB=/data/ils.db \
    CLAUDE_CONFIG_DIR=/data/claude \
    ILS_DEFAULT_PROJECT_DIR=/workspace \
    DISABLE_AUTOUPDATER=1
# The database, Claude Code's login and its own sessions; mount project folders under /workspace.
VOLUME ["/data"]
WORKDIR /workspace
EXPOSE 9999
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9999/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["ils", "serve"]
