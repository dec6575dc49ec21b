# The Handoff relay: `docker compose up -d` builds this image and runs it beside Redis.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# dependencies first, so a source change does not reinstall them (prepare/build runs below)
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild --no-audit
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-slim
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/cli.js", "relay"]
