# modelcat: one compiled binary (migrations and Swagger UI embedded) on a minimal base.
FROM oven/bun:1.4.5 AS build
WORKDIR /src
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY . .
RUN bun run build && mkdir -p /data-empty

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/dist/modelcat /usr/local/bin/modelcat
COPY --from=build --chown=65532:65532 /data-empty /data
ENV HOST=0.0.0.0 \
    PORT=8080 \
    MODELCAT_DB=/data/catalog.db \
    LOG_LEVEL=info \
    BUN_JSC_forceRAMSize=268435456
# BUN_JSC_forceRAMSize: the RAM size the JavaScript engine sizes its heap growth to (bytes; README "Memory")
# Provider keys (GROQ_API_KEY, TOGETHER_API_KEY, …), MODELCAT_ADMIN_TOKEN, MODELCAT_CONFIG and
# MODELCAT_REFRESH_INTERVAL are passed with `docker run -e`; see README.md.
VOLUME ["/data"]
EXPOSE 8080
USER nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s CMD ["/usr/local/bin/modelcat", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/modelcat"]
CMD ["serve"]
