/*
 * ticket.c - random, expiring, revocable session tickets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ticket.h"

int
ticket_init(struct ticket_store *ts, size_t size, unsigned ttl)
{
	if (size == 0 || ttl == 0)
		return -EINVAL;
	ts->tab = calloc(size, sizeof(*ts->tab));
	if (ts->tab == NULL)
		return -ENOMEM;
	ts->size = size;
	ts->ttl = ttl;
	return 0;
}

void
ticket_free(struct ticket_store *ts)
{
	if (ts->tab != NULL)
		explicit_bzero(ts->tab, ts->size * sizeof(*ts->tab));
	free(ts->tab);
	ts->tab = NULL;
	ts->size = 0;
}

static int
ticket_hash(const char *token, unsigned char hash[TICKET_HASH_LEN])
{
	unsigned int	 n = TICKET_HASH_LEN;

	if (!EVP_Digest(token, TICKET_HEX_LEN, hash, &n, EVP_sha256(), NULL))
		return -EIO;
	return 0;
}

static struct ticket *
ticket_slot(struct ticket_store *ts, time_t now)
{
	size_t	 i;

	for (i = 0; i < ts->size; i++)
		if (ts->tab[i].expires <= now)
			return &ts->tab[i];
	return NULL;
}

static int
ticket_random_hex(char out[TICKET_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	 raw[TICKET_HEX_LEN / 2];
	size_t		 i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 0xf];
	}
	out[TICKET_HEX_LEN] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

/* Issue a ticket for user into out.  -ENOSPC when the store is full. */
int
ticket_issue(struct ticket_store *ts, const char *user, time_t now,
    char out[TICKET_HEX_LEN + 1])
{
	struct ticket	*t;
	int		 r;

	if (strlen(user) > PROTO_USER_MAX)
		return -EINVAL;
	if ((t = ticket_slot(ts, now)) == NULL)
		return -ENOSPC;
	if ((r = ticket_random_hex(out)) < 0 ||
	    (r = ticket_hash(out, t->hash)) < 0) {
		explicit_bzero(out, TICKET_HEX_LEN + 1);
		return r;
	}
	strcpy(t->user, user);
	t->expires = now + ts->ttl;
	return 0;
}

static struct ticket *
ticket_find(struct ticket_store *ts, const char *token)
{
	unsigned char	 hash[TICKET_HASH_LEN];
	size_t		 i;

	if (!proto_valid_token(token, strlen(token)) ||
	    ticket_hash(token, hash) < 0)
		return NULL;
	for (i = 0; i < ts->size; i++)
		if (ts->tab[i].expires != 0 &&
		    CRYPTO_memcmp(ts->tab[i].hash, hash, sizeof(hash)) == 0)
			return &ts->tab[i];
	return NULL;
}

/* 0 and the ticket's user and remaining life, or -ENOENT. */
int
ticket_verify(struct ticket_store *ts, const char *token, time_t now,
    char user[PROTO_USER_MAX + 1], time_t *remaining)
{
	struct ticket	*t = ticket_find(ts, token);

	if (t == NULL)
		return -ENOENT;
	if (t->expires <= now) {
		memset(t, 0, sizeof(*t));
		return -ENOENT;
	}
	strcpy(user, t->user);
	*remaining = t->expires - now;
	return 0;
}

int
ticket_revoke(struct ticket_store *ts, const char *token)
{
	struct ticket	*t = ticket_find(ts, token);

	if (t == NULL)
		return -ENOENT;
	memset(t, 0, sizeof(*t));
	return 0;
}

/* Revoke every ticket of user; returns how many were live or stale. */
size_t
ticket_revoke_user(struct ticket_store *ts, const char *user)
{
	size_t	 i, n = 0;

	for (i = 0; i < ts->size; i++) {
		if (ts->tab[i].expires == 0 ||
		    strcmp(ts->tab[i].user, user) != 0)
			continue;
		memset(&ts->tab[i], 0, sizeof(ts->tab[i]));
		n++;
	}
	return n;
}
