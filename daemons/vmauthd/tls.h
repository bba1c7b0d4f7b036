/*
 * tls.h - OpenSSL server context, with a self-signed certificate
 * generated on first start when none is configured.
 */
#ifndef VMAUTHD_TLS_H
#define VMAUTHD_TLS_H

#include <openssl/ssl.h>

int	tls_wipe_on_free(void);
int	tls_ctx_create(const char *cert, const char *key, SSL_CTX **ctxp);

#endif
