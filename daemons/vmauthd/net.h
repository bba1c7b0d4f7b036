/*
 * net.h - the unprivileged network process.
 *
 * One poll(2) loop serves the TCP listener (the authd protocol, authd.c),
 * the local Unix socket (the vmserverd API, api.c), the socketpair to the
 * privileged process and a signalfd.  Every connection is non-blocking;
 * a connection waiting for PAM or for its failure delay to run out does
 * not stop the loop.
 *
 * Front ends see a connection through this header: they get whole lines
 * through their ops->line, queue replies with conn_reply(), start an
 * authentication with conn_auth() and get its outcome through
 * ops->auth_done, after the failure delay when it failed.
 */
#ifndef VMAUTHD_NET_H
#define VMAUTHD_NET_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/ssl.h>

#include "conf.h"
#include "perm.h"
#include "priv.h"
#include "proto.h"
#include "ticket.h"

struct conn;

struct conn_ops {
	const char	*eol;		/* "\r\n" or "\n" */
	void		 (*start)(struct conn *);
	void		 (*line)(struct conn *, char *line, size_t len);
	void		 (*auth_done)(struct conn *, int result);
	void		 (*too_long)(struct conn *);
	void		 (*timeout)(struct conn *);
};

enum conn_state {
	CONN_TLS,		/* handshake after the banner */
	CONN_READY,		/* reading lines */
	CONN_AUTH,		/* waiting for PAM or the failure delay */
	CONN_CLOSING		/* flushing the last reply */
};

struct conn {
	struct conn		*next;
	const struct conn_ops	*ops;
	int			 fd;
	SSL			*ssl;
	enum conn_state		 state;
	int			 tls_want_write;
	char			 addr[PRIV_ADDR_MAX];
	char			 in[PROTO_LINE_MAX + 2];
	size_t			 inlen;
	char			*out;
	size_t			 outlen, outcap;
	struct timespec		 idle_at;	/* close when idle past it */
	struct timespec		 login_at;	/* close if not logged in */
	struct timespec		 reply_at;	/* failure delay deadline */
	int			 result;	/* held back auth result */
	uint32_t		 auth_id;
	struct timespec		 auth_start;
	/* front end state */
	int			 fe_state;
	int			 fe_tries;
	int			 fe_flags;
	char			 user[PROTO_USER_MAX + 1];
};

struct net_env {
	const struct vmauthd_conf *conf;
	struct ticket_store	 tickets;
	struct perm_set		 perms;
};

extern struct net_env	*net_env;

int	net_main(int privfd, int tcpfd, int localfd, SSL_CTX *ctx,
	    const struct vmauthd_conf *conf);
void	conn_reply(struct conn *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	conn_close(struct conn *c);
int	conn_auth(struct conn *c, const char *user, const char *pass,
	    size_t passlen, const char *addr);
void	conn_auth_reject(struct conn *c);
void	conn_logged_in(struct conn *c);
int	net_groups(const char *user, char ***groupsp, size_t *ngroupsp);
void	net_groups_free(char **groups, size_t ngroups);

extern const struct conn_ops authd_ops;
extern const struct conn_ops api_ops;

#endif
