# hostmesh-server: signaling, lobbies, TURN credentials, built-in STUN and the demo, one process.
# Build: docker build -t hostmesh-server .
# Run:   docker run -p 9000:9000 -p 3478:3478/udp -e LOBBY_KEY=... hostmesh-server
# Several nodes on Redis, nginx and coturn: deploy/compose.yaml (docs/deploy.md).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --ignore-scripts && npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=9000 HOST=0.0.0.0 STUN_PORT=3478
WORKDIR /app
# Only what dist/server imports (everything else in the repo is for development).
RUN echo '{"name":"hostmesh","private":true,"type":"module"}' > package.json \
 && npm install --ignore-scripts --no-package-lock --omit=dev \
    express@^4.22.3 peer@^1.0.2 ws@^8.23.0 ioredis@^6.0.0 pino@^10.4.0 prom-client@^15.1.3 @msimerson/stun@^3.2.1 @noble/hashes@^2.4.0 \
 && npm cache clean --force
COPY --from=build /app/dist/server ./dist/server
COPY --from=build /app/dist/public ./dist/public
USER node
EXPOSE 9000 3478/udp
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server/cli.js"]
