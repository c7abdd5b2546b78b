#ifndef VEREDICTO_CRDKAFKA_SHIM_H
#define VEREDICTO_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>

#endif
