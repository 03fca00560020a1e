# Loom's container image: `docker build -t loom .` then
# `docker run -p 4000:4000 loom` serves the demo; mount a project and run
# `serve --config /app/project/mesh.config.ts` for your own (deploy/k8s does).
# Stage 1 installs everything and compiles; stage 2 keeps production
# dependencies and the compiled code only, and runs as the unprivileged `node` user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# patch-package applies these on install (postinstall).
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    LOOM_HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The demo project (`serve --demo`); a real deployment mounts its own config, sources and BFF files.
COPY mesh.config.ts ./
COPY bff ./bff
COPY sources ./sources
COPY schema ./schema
COPY demo ./demo
USER node
EXPOSE 4000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# bin/loom.js runs dist/ (no src/ in the image); TypeScript config and BFF files load through bin/load-typescript.js (esbuild).
ENTRYPOINT ["node", "--max-semi-space-size=32", "bin/loom.js"]
CMD ["serve", "--demo"]
