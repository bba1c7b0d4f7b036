/*
 * ticket.h - session tickets for vmserverd and remote consoles.
 *
 * A ticket is 32 random bytes shown as 64 hex digits.  The store keeps
 * only the SHA-256 of each ticket, with its user and expiry, so a memory
 * disclosure does not hand out live tickets.  Time is passed in.
 */
#ifndef VMAUTHD_TICKET_H
#define VMAUTHD_TICKET_H

#include <stddef.h>
#include <time.h>

#include "proto.h"

#define TICKET_HEX_LEN	64
#define TICKET_HASH_LEN	32

struct ticket {
	unsigned char	 hash[TICKET_HASH_LEN];
	char		 user[PROTO_USER_MAX + 1];
	time_t		 expires;	/* 0: free slot */
};

struct ticket_store {
	struct ticket	*tab;
	size_t		 size;
	unsigned	 ttl;
};

int	ticket_init(struct ticket_store *ts, size_t size, unsigned ttl);
void	ticket_free(struct ticket_store *ts);
int	ticket_issue(struct ticket_store *ts, const char *user, time_t now,
	    char out[TICKET_HEX_LEN + 1]);
int	ticket_verify(struct ticket_store *ts, const char *token, time_t now,
	    char user[PROTO_USER_MAX + 1], time_t *remaining);
int	ticket_revoke(struct ticket_store *ts, const char *token);
size_t	ticket_revoke_user(struct ticket_store *ts, const char *user);

#endif
