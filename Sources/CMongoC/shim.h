#ifndef VEREDICTO_CMONGOC_SHIM_H
#define VEREDICTO_CMONGOC_SHIM_H

#include <mongoc/mongoc.h>

#endif
