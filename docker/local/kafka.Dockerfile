# A Kafka-protocol broker image for machines without registry access: Tansu (an Apache Kafka
# compatible broker, in-memory storage; the same build the test suite runs) on the base image.
# It answers the health check of docker/compose.yaml's `kafka` service at the path that
# check runs, and advertises the host named in KAFKA_ADVERTISED_LISTENERS (PLAINTEXT://...).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY tansu /usr/local/bin/tansu
COPY kafka-entrypoint.sh /usr/local/bin/kafka-entrypoint.sh
COPY kafka-broker-api-versions.sh /opt/kafka/bin/kafka-broker-api-versions.sh
EXPOSE 9092
ENTRYPOINT ["/usr/local/bin/kafka-entrypoint.sh"]
