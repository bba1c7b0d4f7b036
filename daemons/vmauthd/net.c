/*
 * net.c - the unprivileged process: listeners, connections, timers and
 * the link to the privileged process.
 */
#include <sys/prctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "log.h"
#include "net.h"

#define NET_OUT_MAX		(1024 * 1024)
#define NET_CLOSE_GRACE_MS	2000
#define NET_LOCAL_MAX		64

struct net_env		*net_env;
static struct net_env	 env;
static struct conn	*conns;
static unsigned		 nconns_tcp, nconns_local;
static int		 priv_fd = -1, sig_fd = -1;
static SSL_CTX		*tls_ctx;
static uint32_t		 next_id;
static volatile int	 net_quit;

static void	conn_io(struct conn *c);

static struct timespec
ts_after_ms(unsigned ms)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

static int
ts_set(const struct timespec *ts)
{
	return ts->tv_sec != 0 || ts->tv_nsec != 0;
}

/* Milliseconds from now until ts, 0 when it has passed. */
static int
ts_ms_left(const struct timespec *ts)
{
	struct timespec	 now;
	long long	 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (ts->tv_sec - now.tv_sec) * 1000LL +
	    (ts->tv_nsec - now.tv_nsec) / 1000000;
	if (ms < 0)
		return 0;
	return ms > 60000 ? 60000 : (int)ms + 1;
}

static int
ts_passed(const struct timespec *ts)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > ts->tv_sec ||
	    (now.tv_sec == ts->tv_sec && now.tv_nsec >= ts->tv_nsec);
}

static void
conn_free(struct conn *c)
{
	struct conn	**pp;

	for (pp = &conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->ops == &authd_ops)
		nconns_tcp--;
	else
		nconns_local--;
	SSL_free(c->ssl);
	close(c->fd);
	if (c->out != NULL)
		explicit_bzero(c->out, c->outcap);
	free(c->out);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

void
conn_reply(struct conn *c, const char *fmt, ...)
{
	char	 line[2048];
	va_list	 ap;
	int	 n;
	size_t	 need;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 2)
		n = 0;
	strcpy(line + n, c->ops->eol);
	need = c->outlen + strlen(line);
	if (need > c->outcap) {
		size_t	 cap = c->outcap ? c->outcap : 256;
		char	*p;

		while (cap < need)
			cap *= 2;
		if (cap > NET_OUT_MAX ||
		    (p = realloc(c->out, cap)) == NULL) {
			log_warnx("%s: %s: output overflow", __func__, c->addr);
			c->state = CONN_CLOSING;
			c->outlen = 0;
			return;
		}
		c->out = p;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, line, need - c->outlen);
	c->outlen = need;
	explicit_bzero(line, sizeof(line));
}

void
conn_close(struct conn *c)
{
	c->state = CONN_CLOSING;
	c->idle_at = ts_after_ms(NET_CLOSE_GRACE_MS);
	memset(&c->login_at, 0, sizeof(c->login_at));
}

void
conn_logged_in(struct conn *c)
{
	memset(&c->login_at, 0, sizeof(c->login_at));
}

/* Map an SSL result to 1 (done), 0 (would block) or -1 (dead). */
static int
conn_ssl_result(struct conn *c, int r)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_NONE:
		return 1;
	case SSL_ERROR_WANT_READ:
		c->tls_want_write = 0;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->tls_want_write = 1;
		return 0;
	default:
		ERR_clear_error();
		return -1;
	}
}

static ssize_t
conn_write_raw(struct conn *c)
{
	ssize_t	 n;
	int	 r;

	if (c->ssl != NULL && c->state != CONN_TLS) {
		r = SSL_write(c->ssl, c->out, c->outlen);
		if (r > 0)
			return r;
		return conn_ssl_result(c, r) < 0 ? -1 : 0;
	}
	n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	return n;
}

static ssize_t
conn_read_raw(struct conn *c, char *buf, size_t len)
{
	ssize_t	 n;
	int	 r;

	if (c->ssl != NULL) {
		r = SSL_read(c->ssl, buf, len);
		if (r > 0)
			return r;
		return conn_ssl_result(c, r) < 0 ? -1 : 0;
	}
	n = recv(c->fd, buf, len, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	return n == 0 ? -1 : n;
}

/* Write out what is queued; wipe what was sent.  -1 when dead. */
static int
conn_flush(struct conn *c)
{
	ssize_t	 n;

	while (c->outlen > 0) {
		if ((n = conn_write_raw(c)) < 0)
			return -1;
		if (n == 0)
			return 0;
		memmove(c->out, c->out + n, c->outlen - n);
		c->outlen -= n;
		explicit_bzero(c->out + c->outlen, n);
	}
	return 0;
}

static void
conn_drop_input(struct conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
	explicit_bzero(c->in + c->inlen, n);
}

/* Hand every complete line to the front end while it is ready. */
static void
conn_lines(struct conn *c)
{
	char	 line[PROTO_LINE_MAX + 1];
	size_t	 len = 0, used = 0;
	int	 r;

	while (c->state == CONN_READY) {
		r = proto_getline(c->in, c->inlen, &len, &used);
		if (r == PROTO_NEED_MORE)
			break;
		if (r == PROTO_TOO_LONG) {
			conn_drop_input(c, c->inlen);
			c->ops->too_long(c);
			break;
		}
		memcpy(line, c->in, len);
		line[len] = '\0';
		conn_drop_input(c, used);
		c->ops->line(c, line, len);
		explicit_bzero(line, len);
	}
}

/* Read what is there and process it.  -1 when the connection is dead. */
static int
conn_read(struct conn *c)
{
	ssize_t	 n;

	while (c->state == CONN_READY && c->inlen < sizeof(c->in)) {
		n = conn_read_raw(c, c->in + c->inlen,
		    sizeof(c->in) - c->inlen);
		if (n < 0) {
			conn_close(c);	/* peer closed: flush, then go */
			return 0;
		}
		if (n == 0)
			break;
		c->inlen += n;
		c->idle_at = ts_after_ms(net_env->conf->idle_timeout * 1000);
		conn_lines(c);
	}
	return 0;
}

/* 1 when the handshake is done, 0 to wait, -1 on failure. */
static int
conn_handshake(struct conn *c)
{
	int	 r;

	if (conn_flush(c) < 0)
		return -1;
	if (c->outlen > 0)
		return 0;
	r = conn_ssl_result(c, SSL_accept(c->ssl));
	if (r < 0)
		log_info("%s: %s: TLS handshake failed", __func__, c->addr);
	return r;
}

static void
conn_io(struct conn *c)
{
	int	 r;

	if (c->state == CONN_TLS) {
		if ((r = conn_handshake(c)) < 0)
			goto dead;
		if (r == 0)
			return;
		c->state = CONN_READY;
	}
	if (conn_flush(c) < 0 || conn_read(c) < 0 || conn_flush(c) < 0)
		goto dead;
	if (c->state == CONN_CLOSING && c->outlen == 0)
		goto dead;
	return;
dead:
	conn_free(c);
}

static short
conn_events(const struct conn *c)
{
	short	 ev = 0;

	if (c->state == CONN_TLS && c->outlen == 0)
		return c->tls_want_write ? POLLOUT : POLLIN;
	if (c->state == CONN_READY)
		ev |= POLLIN;
	if (c->outlen > 0 || (c->ssl != NULL && c->tls_want_write))
		ev |= POLLOUT;
	return ev;
}

static void
conn_peer(struct conn *c, const struct sockaddr_storage *ss, socklen_t len)
{
	if (ss->ss_family == AF_UNIX ||
	    getnameinfo((const struct sockaddr *)ss, len, c->addr,
	    sizeof(c->addr), NULL, 0, NI_NUMERICHOST) != 0)
		strcpy(c->addr, "local");
}

static int
net_full(const struct conn_ops *ops, int fd)
{
	static const char busy[] = "421 Too many connections, try later.\r\n";

	if (ops == &api_ops)
		return nconns_local >= NET_LOCAL_MAX;
	if (nconns_tcp < net_env->conf->max_conns)
		return 0;
	(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL);
	return 1;
}

static void
net_accept(int lfd, const struct conn_ops *ops)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct conn		*c;
	int			 fd, one = 1;

	fd = accept4(lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("%s: accept", __func__);
		return;
	}
	if (net_full(ops, fd)) {
		log_warnx("%s: connection limit reached, refused", __func__);
		goto close_fd;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto close_fd;
	if (ops == &authd_ops)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	c->ops = ops;
	conn_peer(c, &ss, len);
	c->idle_at = ts_after_ms(net_env->conf->idle_timeout * 1000);
	c->login_at = ts_after_ms(net_env->conf->login_timeout * 1000);
	if (ops == &authd_ops && net_env->conf->tls) {
		if ((c->ssl = SSL_new(tls_ctx)) == NULL ||
		    !SSL_set_fd(c->ssl, fd)) {
			SSL_free(c->ssl);
			free(c);
			goto close_fd;
		}
	}
	c->next = conns;
	conns = c;
	if (ops == &authd_ops)
		nconns_tcp++;
	else
		nconns_local++;
	c->state = c->ssl != NULL ? CONN_TLS : CONN_READY;
	ops->start(c);
	conn_io(c);
	return;
close_fd:
	close(fd);
}

/* Send an authentication request to the privileged process. */
int
conn_auth(struct conn *c, const char *user, const char *pass,
    size_t passlen, const char *addr)
{
	struct priv_auth_req	 req;
	ssize_t			 n;

	memset(&req, 0, sizeof(req));
	if (strlen(user) >= sizeof(req.user) || passlen >= sizeof(req.pass) ||
	    strlen(addr) >= sizeof(req.addr))
		return -EINVAL;
	if (++next_id == 0)
		next_id = 1;
	req.type = PRIV_AUTH_REQ;
	req.id = next_id;
	strcpy(req.user, user);
	strcpy(req.addr, addr);
	memcpy(req.pass, pass, passlen);
	n = send(priv_fd, &req, sizeof(req), MSG_NOSIGNAL | MSG_DONTWAIT);
	explicit_bzero(&req, sizeof(req));
	if (n != sizeof(req)) {
		log_warn("%s: send to priv", __func__);
		return -EAGAIN;
	}
	c->auth_id = next_id;
	c->state = CONN_AUTH;
	clock_gettime(CLOCK_MONOTONIC, &c->auth_start);
	return 0;
}

static void
conn_arm_delay(struct conn *c, unsigned delay)
{
	c->reply_at = c->auth_start;
	c->reply_at.tv_sec += delay / 1000;
	c->reply_at.tv_nsec += (long)(delay % 1000) * 1000000;
	if (c->reply_at.tv_nsec >= 1000000000) {
		c->reply_at.tv_sec++;
		c->reply_at.tv_nsec -= 1000000000;
	}
}

/* Fail a login the front end refused itself, after the usual delay. */
void
conn_auth_reject(struct conn *c)
{
	c->state = CONN_AUTH;
	c->auth_id = 0;
	c->result = PRIV_DENIED;
	clock_gettime(CLOCK_MONOTONIC, &c->auth_start);
	conn_arm_delay(c, net_env->conf->fail_delay_ms);
}

static struct conn *
net_find_auth(uint32_t id)
{
	struct conn	*c;

	for (c = conns; c != NULL; c = c->next)
		if (c->state == CONN_AUTH && id != 0 && c->auth_id == id)
			return c;
	return NULL;
}

static void
net_auth_deliver(struct conn *c)
{
	memset(&c->reply_at, 0, sizeof(c->reply_at));
	c->state = CONN_READY;
	c->ops->auth_done(c, c->result);
	conn_io(c);
}

/*
 * A reply from the privileged process.  Success is answered at once;
 * failure no earlier than the configured or PAM-requested delay after
 * the request, whichever is longer, so that every failure (unknown user,
 * wrong password, lockout) takes the same time.
 */
static int
net_priv_reply(void)
{
	struct priv_auth_rep	 rep;
	struct conn		*c;
	unsigned		 delay;
	ssize_t			 n;

	n = recv(priv_fd, &rep, sizeof(rep), MSG_TRUNC | MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (n != sizeof(rep) || rep.type != PRIV_AUTH_REP) {
		log_warnx("%s: bad message from priv", __func__);
		return n < 0 ? 0 : -1;
	}
	if ((c = net_find_auth(rep.id)) == NULL)
		return 0;
	c->auth_id = 0;
	c->result = rep.result;
	if (rep.result == PRIV_OK) {
		net_auth_deliver(c);
		return 0;
	}
	delay = net_env->conf->fail_delay_ms;
	if (rep.delay_ms > delay)
		delay = rep.delay_ms;
	conn_arm_delay(c, delay);
	return 0;
}

/* Fire expired timers of one connection; may free it. */
static void
conn_timers(struct conn *c)
{
	if (c->state == CONN_AUTH) {
		if (ts_set(&c->reply_at) && ts_passed(&c->reply_at))
			net_auth_deliver(c);
		return;
	}
	if (!ts_passed(&c->idle_at) &&
	    !(ts_set(&c->login_at) && ts_passed(&c->login_at)))
		return;
	if (c->state == CONN_CLOSING) {
		conn_free(c);
		return;
	}
	log_info("%s: %s: timed out", __func__, c->addr);
	c->ops->timeout(c);
	conn_close(c);
	conn_io(c);
}

static int
conn_next_ms(const struct conn *c)
{
	int	 ms;

	if (c->state == CONN_AUTH)
		return ts_set(&c->reply_at) ? ts_ms_left(&c->reply_at) : -1;
	ms = ts_ms_left(&c->idle_at);
	if (ts_set(&c->login_at) && ts_ms_left(&c->login_at) < ms)
		ms = ts_ms_left(&c->login_at);
	return ms;
}

void
net_groups_free(char **groups, size_t ngroups)
{
	size_t	 i;

	for (i = 0; i < ngroups; i++)
		free(groups[i]);
	free(groups);
}

/* Names of the groups user belongs to, through NSS. */
int
net_groups(const char *user, char ***groupsp, size_t *ngroupsp)
{
	struct passwd	*pw;
	struct group	*gr;
	gid_t		 gids[256];
	char		**names;
	int		 n = 256, i;
	size_t		 k = 0;

	*groupsp = NULL;
	*ngroupsp = 0;
	if ((pw = getpwnam(user)) == NULL)
		return 0;
	if (getgrouplist(user, pw->pw_gid, gids, &n) == -1)
		n = 256;
	if ((names = calloc(n, sizeof(*names))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if ((gr = getgrgid(gids[i])) == NULL)
			continue;
		if ((names[k] = strdup(gr->gr_name)) == NULL) {
			net_groups_free(names, k);
			return -ENOMEM;
		}
		k++;
	}
	*groupsp = names;
	*ngroupsp = k;
	return 0;
}

static void
net_reload(void)
{
	struct perm_set	 set;
	size_t		 line = 0;
	int		 r;

	r = perm_load(net_env->conf->permissions, &set, &line);
	if (r < 0) {
		log_warnx("%s: %s:%zu: %s, keeping the old rules", __func__,
		    net_env->conf->permissions, line, strerror(-r));
		return;
	}
	perm_free(&env.perms);
	env.perms = set;
	log_info("%s: %zu permission rules", __func__, set.nrules);
}

static void
net_signal(void)
{
	struct signalfd_siginfo	 si;

	if (read(sig_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP)
		net_reload();
	else
		net_quit = 1;
}

static int
net_drop_privs(const char *user)
{
	struct passwd	*pw;
	uid_t		 r, e, s;

	if (getuid() != 0) {
		log_info("%s: not root, keeping uid %d", __func__,
		    (int)getuid());
		goto no_new_privs;
	}
	if ((pw = getpwnam(user)) == NULL) {
		log_warnx("%s: unknown user %s", __func__, user);
		return -ENOENT;
	}
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1 ||
	    getresuid(&r, &e, &s) == -1 || r != pw->pw_uid ||
	    e != pw->pw_uid || s != pw->pw_uid) {
		log_warn("%s: cannot become %s", __func__, user);
		return -EPERM;
	}
	log_info("%s: running as %s", __func__, user);
no_new_privs:
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 || chdir("/") == -1)
		return -errno;
	return 0;
}

static int
net_signalfd(void)
{
	sigset_t	 set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sig_fd == -1 ? -errno : 0;
}

/* Build the poll set: fixed descriptors first, then one per conn. */
static size_t
net_pollset(struct pollfd *pfd, size_t max, int tcpfd, int localfd,
    int *timeout)
{
	struct conn	*c;
	size_t		 n = 0;
	int		 ms;

	pfd[n++] = (struct pollfd){ .fd = priv_fd, .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = tcpfd, .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = localfd, .events = POLLIN };
	*timeout = -1;
	for (c = conns; c != NULL && n < max; c = c->next) {
		pfd[n++] = (struct pollfd){ .fd = c->fd,
		    .events = conn_events(c) };
		ms = conn_next_ms(c);
		if (ms >= 0 && (*timeout < 0 || ms < *timeout))
			*timeout = ms;
	}
	return n;
}

static void
net_conn_events(struct pollfd *pfd, size_t n)
{
	struct conn	*c, *next;
	size_t		 i;

	for (i = 4; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		for (c = conns; c != NULL; c = c->next)
			if (c->fd == pfd[i].fd)
				break;
		if (c != NULL)
			conn_io(c);
	}
	for (c = conns; c != NULL; c = next) {
		next = c->next;
		conn_timers(c);
	}
}

static int
net_loop(int tcpfd, int localfd)
{
	size_t		 max = 4 + net_env->conf->max_conns + NET_LOCAL_MAX;
	struct pollfd	*pfd;
	size_t		 n;
	int		 timeout;

	if ((pfd = calloc(max, sizeof(*pfd))) == NULL)
		return -ENOMEM;
	while (!net_quit) {
		n = net_pollset(pfd, max, tcpfd, localfd, &timeout);
		if (poll(pfd, n, timeout) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: poll", __func__);
			break;
		}
		if ((pfd[0].revents & (POLLIN | POLLHUP)) && net_priv_reply())
			break;
		if (pfd[1].revents & POLLIN)
			net_signal();
		if (pfd[2].revents & POLLIN)
			net_accept(tcpfd, &authd_ops);
		if (pfd[3].revents & POLLIN)
			net_accept(localfd, &api_ops);
		net_conn_events(pfd, n);
	}
	free(pfd);
	return 0;
}

int
net_main(int privfd, int tcpfd, int localfd, SSL_CTX *ctx,
    const struct vmauthd_conf *conf)
{
	size_t	 line = 0;
	int	 r;

	log_setproc("net");
	net_env = &env;
	env.conf = conf;
	priv_fd = privfd;
	tls_ctx = ctx;
	if ((r = ticket_init(&env.tickets, conf->tickets_max,
	    conf->ticket_ttl)) < 0)
		fatalx("%s: tickets: %s", __func__, strerror(-r));
	r = perm_load(conf->permissions, &env.perms, &line);
	if (r < 0)
		log_warnx("%s: %s:%zu: %s; no VM permissions granted",
		    __func__, conf->permissions, line, strerror(-r));
	if ((r = net_drop_privs(conf->user)) < 0)
		fatalx("%s: cannot drop privileges: %s", __func__,
		    strerror(-r));
	if ((r = net_signalfd()) < 0)
		fatalx("%s: signalfd: %s", __func__, strerror(-r));
	log_info("%s: ready", __func__);
	r = net_loop(tcpfd, localfd);
	while (conns != NULL)
		conn_free(conns);
	ticket_free(&env.tickets);
	perm_free(&env.perms);
	return r;
}
