#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

/// Macros of OpenSSL's that Swift cannot call, as functions.
static inline long rua_tls_set_server_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
static inline long rua_tls_set_minimum_version(SSL_CTX *context) {
    return SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
}
