#ifndef RUA_CCRYPTO_SHIM_H
#define RUA_CCRYPTO_SHIM_H
// Only SHA-256 is used: the content addresses of inputs and report payloads.
#include <openssl/evp.h>
#endif
