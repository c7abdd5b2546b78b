# A Prometheus image for machines without registry access: Debian's package on the base image,
# laid out like prom/prometheus (binary as entrypoint, working directory /prometheus, which
# holds the data, user nobody) so docker/compose.yaml's `prometheus` service runs unchanged.
# Debian's build keeps its data in /var/lib/prometheus/metrics2 unless told otherwise: that path
# leads to /prometheus here.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends prometheus \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /prometheus /etc/prometheus /var/lib/prometheus \
    && chown nobody:nogroup /prometheus \
    && rm -rf /var/lib/prometheus/metrics2 \
    && ln -s /prometheus /var/lib/prometheus/metrics2
WORKDIR /prometheus
VOLUME ["/prometheus"]
USER nobody
EXPOSE 9090
HEALTHCHECK --interval=5s --timeout=5s --start-period=10s --retries=5 \
    CMD ["/usr/bin/promtool", "check", "ready", "--url=http://127.0.0.1:9090"]
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
