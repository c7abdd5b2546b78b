#ifndef VEREDICTO_CRDKAFKA_SHIM_H
#define VEREDICTO_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>

/* rd_kafka_producev is variadic, which Swift cannot call: a record with one header (the
   message signature), a copied value and key, and an opaque for its delivery report. The topic
   is the producer's cached handle (RD_KAFKA_V_RKT), not its name: by name, librdkafka looks the
   topic up, creates a handle and releases it again for every record. */
static inline rd_kafka_resp_err_t veredicto_produce_with_header(
    rd_kafka_t *rk, rd_kafka_topic_t *rkt, const void *value, size_t value_size, const void *key,
    size_t key_size, const char *header_name, const void *header_value, size_t header_size,
    void *opaque) {
    return rd_kafka_producev(rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_VALUE((void *)value, value_size), RD_KAFKA_V_KEY(key, key_size),
                             RD_KAFKA_V_HEADER(header_name, header_value, (ssize_t)header_size),
                             RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
}

#endif
