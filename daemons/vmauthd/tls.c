/*
 * tls.c - TLS server context and self-signed certificate generation.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "log.h"
#include "tls.h"

#define TLS_CERT_DAYS	3650

/*
 * OpenSSL decrypts records in place and frees its buffers without
 * wiping them, which would leave passwords in freed heap memory.  These
 * allocation hooks wipe every block OpenSSL gives back.
 */
static void *
tls_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return malloc(n);
}

static void
tls_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	if (p == NULL)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

static void *
tls_realloc(void *p, size_t n, const char *file, int line)
{
	size_t	 old;
	void	*q;

	if (n == 0) {
		tls_free(p, file, line);
		return NULL;
	}
	if ((q = malloc(n)) == NULL || p == NULL)
		return q;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	tls_free(p, file, line);
	return q;
}

/* Call before anything else touches OpenSSL. */
int
tls_wipe_on_free(void)
{
	if (!CRYPTO_set_mem_functions(tls_malloc, tls_realloc, tls_free))
		return -EBUSY;
	return 0;
}

static void
tls_log_errors(const char *func)
{
	unsigned long	 e;
	char		 buf[256];

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_warnx("%s: %s", func, buf);
	}
}

static int
tls_x509_fill(X509 *x, EVP_PKEY *pk)
{
	X509_NAME	*name = X509_get_subject_name(x);
	char		 host[256] = "localhost";

	gethostname(host, sizeof(host) - 1);
	if (!X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL)) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x),
	    60L * 60 * 24 * TLS_CERT_DAYS) ||
	    !X509_set_pubkey(x, pk) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"vmauthd", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)host, -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) ||
	    !X509_sign(x, pk, EVP_sha256()))
		return -EIO;
	return 0;
}

/* Write with PEM writer fn into a new file of the given mode. */
static int
tls_write_pem(const char *path, mode_t mode, int (*fn)(FILE *, void *),
    void *obj)
{
	FILE	*fp;
	int	 fd, r = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1)
		return -errno;
	if ((fp = fdopen(fd, "w")) == NULL) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!fn(fp, obj))
		r = -EIO;
	if (fclose(fp) != 0 && r == 0)
		r = -errno;
	if (r < 0)
		unlink(path);
	return r;
}

static int
tls_write_key(FILE *fp, void *pk)
{
	return PEM_write_PrivateKey(fp, pk, NULL, NULL, 0, NULL, NULL);
}

static int
tls_write_cert(FILE *fp, void *x)
{
	return PEM_write_X509(fp, x);
}

/* Generate an EC P-256 key and a self-signed certificate for it. */
static int
tls_generate(const char *cert, const char *key)
{
	EVP_PKEY	*pk;
	X509		*x;
	int		 r = -EIO;

	if ((pk = EVP_EC_gen("P-256")) == NULL)
		return -EIO;
	if ((x = X509_new()) == NULL)
		goto free_key;
	if ((r = tls_x509_fill(x, pk)) < 0)
		goto free_cert;
	if ((r = tls_write_pem(key, 0600, tls_write_key, pk)) < 0)
		goto free_cert;
	if ((r = tls_write_pem(cert, 0644, tls_write_cert, x)) < 0)
		unlink(key);
free_cert:
	X509_free(x);
free_key:
	EVP_PKEY_free(pk);
	return r;
}

static int
tls_ensure_files(const char *cert, const char *key)
{
	int	 have_cert = access(cert, F_OK) == 0;
	int	 have_key = access(key, F_OK) == 0;
	int	 r;

	if (have_cert && have_key)
		return 0;
	if (have_cert || have_key) {
		log_warnx("%s: only one of %s and %s exists", __func__,
		    cert, key);
		return -ENOENT;
	}
	if ((r = tls_generate(cert, key)) < 0) {
		tls_log_errors(__func__);
		log_warnx("%s: cannot generate %s: %s", __func__, cert,
		    strerror(-r));
		return r;
	}
	log_info("%s: generated self-signed certificate %s", __func__, cert);
	return 0;
}

int
tls_ctx_create(const char *cert, const char *key, SSL_CTX **ctxp)
{
	SSL_CTX	*ctx;
	int	 r;

	if ((r = tls_ensure_files(cert, key)) < 0)
		return r;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		goto fail;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		goto free_ctx;
	*ctxp = ctx;
	return 0;
free_ctx:
	SSL_CTX_free(ctx);
fail:
	tls_log_errors(__func__);
	return -EIO;
}
