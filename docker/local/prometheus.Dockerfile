# A Prometheus image for machines without registry access: Debian's package on the base image,
# laid out like prom/prometheus (binary as entrypoint, working directory /prometheus, which
# holds the data, user nobody) so docker/compose.yaml's `prometheus` service runs unchanged.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends prometheus \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /prometheus /etc/prometheus \
    && chown nobody:nogroup /prometheus
WORKDIR /prometheus
VOLUME ["/prometheus"]
USER nobody
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
