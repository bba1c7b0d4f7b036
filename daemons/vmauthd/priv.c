/*
 * priv.c - the privileged process: PAM conversations and lockout.
 *
 * Runs as root, holds no network socket and no TLS key.  It reads one
 * request at a time from the network process, checks it, consults the
 * lockout table, runs the PAM stack and answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "lockout.h"
#include "log.h"
#include "priv.h"

#define PRIV_LOCKOUT_SLOTS	4096
#define PRIV_PAM_TIMEOUT_MS	30000

struct priv_conv {
	const char	*pass;
	int		 asked;
	unsigned	 delay_usec;
};

struct priv_handler {
	size_t		 size;
	void		 (*fn)(int fd, void *msg);
};

static void	priv_auth(int fd, void *msg);

static const struct priv_handler priv_handlers[PRIV_TYPE_MAX] = {
	[PRIV_AUTH_REQ] = { sizeof(struct priv_auth_req), priv_auth },
};

static const struct vmauthd_conf *priv_conf;
static struct lockout	 priv_lockout;
static volatile sig_atomic_t priv_quit;

const char *
priv_result_name(int result)
{
	static const char *const names[] = {
		"success", "authentication failure", "account unavailable",
		"locked out", "internal error"
	};

	if (result < PRIV_OK || result > PRIV_ERROR)
		return "unknown";
	return names[result];
}

/* Answer the password prompt once; nothing else is asked of the user. */
static int
priv_pam_conv(int n, const struct pam_message **msg,
    struct pam_response **resp, void *appdata)
{
	struct priv_conv	*conv = appdata;
	struct pam_response	*r;
	int			 i;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	if ((r = calloc(n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF)
			continue;
		if (conv->asked++ > 0 ||
		    (r[i].resp = strdup(conv->pass)) == NULL)
			goto free_resp;
	}
	*resp = r;
	return PAM_SUCCESS;
free_resp:
	for (i = 0; i < n; i++) {
		if (r[i].resp == NULL)
			continue;
		explicit_bzero(r[i].resp, strlen(r[i].resp));
		free(r[i].resp);
	}
	free(r);
	return PAM_CONV_ERR;
}

/* PAM_FAIL_DELAY hook: remember the delay instead of sleeping. */
static void
priv_pam_delay(int status, unsigned int usec, void *appdata)
{
	struct priv_conv	*conv = appdata;

	if (status != PAM_SUCCESS && conv != NULL)
		conv->delay_usec = usec;
}

static int
priv_pam_result(int rc)
{
	switch (rc) {
	case PAM_SUCCESS:
		return PRIV_OK;
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
	case PAM_PERM_DENIED:
		return PRIV_DENIED;
	case PAM_ACCT_EXPIRED:
	case PAM_NEW_AUTHTOK_REQD:
	case PAM_AUTHTOK_EXPIRED:
		return PRIV_EXPIRED;
	default:
		return PRIV_ERROR;
	}
}

static int
priv_pam_items(pam_handle_t *pamh, const char *addr)
{
	union {
		void		 (*fn)(int, unsigned int, void *);
		const void	*ptr;
	} delay = { .fn = priv_pam_delay };
	int	 rc;

	if ((rc = pam_set_item(pamh, PAM_RHOST, addr)) != PAM_SUCCESS)
		return rc;
	return pam_set_item(pamh, PAM_FAIL_DELAY, delay.ptr);
}

/* Run the auth and account stacks for user; returns a priv_result. */
static int
priv_pam(const struct priv_auth_req *req, unsigned *delay_ms)
{
	struct priv_conv conv = { .pass = req->pass };
	struct pam_conv	 pc = { priv_pam_conv, &conv };
	pam_handle_t	*pamh;
	int		 rc, flags = PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK;

	rc = pam_start(priv_conf->pam_service, req->user, &pc, &pamh);
	if (rc != PAM_SUCCESS) {
		log_warnx("%s: pam_start: %s", __func__, pam_strerror(NULL, rc));
		return PRIV_ERROR;
	}
	if ((rc = priv_pam_items(pamh, req->addr)) == PAM_SUCCESS &&
	    (rc = pam_authenticate(pamh, flags)) == PAM_SUCCESS)
		rc = pam_acct_mgmt(pamh, flags);
	if (rc != PAM_SUCCESS)
		log_info("%s: user %s from %s: %s", __func__, req->user,
		    req->addr, pam_strerror(pamh, rc));
	pam_end(pamh, rc | PAM_DATA_SILENT);
	*delay_ms = conv.delay_usec / 1000;
	return priv_pam_result(rc);
}

struct priv_outcome {
	int32_t		 result;
	uint32_t	 delay_ms;
};

/* Wait for the PAM child's outcome; kill it when it takes too long. */
static void
priv_pam_wait(int fd, pid_t pid, struct priv_outcome *out)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	int		 r, status;

	do
		r = poll(&pfd, 1, PRIV_PAM_TIMEOUT_MS);
	while (r == -1 && errno == EINTR);
	if (r == 0) {
		log_warnx("%s: PAM stack did not answer in %d ms, killed",
		    __func__, PRIV_PAM_TIMEOUT_MS);
		kill(pid, SIGKILL);
	} else if (read(fd, out, sizeof(*out)) != sizeof(*out))
		out->result = PRIV_ERROR;
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
}

/*
 * Run PAM in a short-lived child: whatever copies of the password the
 * modules keep, and whatever they leak, vanish with it, and a hung
 * module can be killed.
 */
static int
priv_pam_isolated(const struct priv_auth_req *req, unsigned *delay_ms)
{
	struct priv_outcome out = { PRIV_ERROR, 0 };
	int		 p[2];
	pid_t		 pid;

	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("%s: pipe", __func__);
		return PRIV_ERROR;
	}
	if ((pid = fork()) == -1) {
		log_warn("%s: fork", __func__);
		goto close_pipe;
	}
	if (pid == 0) {
		close(p[0]);
		out.result = priv_pam(req, &out.delay_ms);
		_exit(write(p[1], &out, sizeof(out)) != sizeof(out));
	}
	close(p[1]);
	p[1] = -1;
	priv_pam_wait(p[0], pid, &out);
close_pipe:
	close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	*delay_ms = out.delay_ms;
	return out.result;
}

static void
priv_keys(const struct priv_auth_req *req, char *ukey, char *akey)
{
	/* Both fit: user and addr are shorter than LOCKOUT_KEY_MAX - 2. */
	strcpy(ukey, "u:");
	strcat(ukey, req->user);
	strcpy(akey, "a:");
	strcat(akey, req->addr);
}

/* Lockout check, PAM, lockout update.  Returns a priv_result. */
static int
priv_authenticate(const struct priv_auth_req *req, unsigned *delay_ms)
{
	char	 ukey[LOCKOUT_KEY_MAX], akey[LOCKOUT_KEY_MAX];
	time_t	 now = time(NULL), left;
	int	 result;

	priv_keys(req, ukey, akey);
	left = lockout_remaining(&priv_lockout, ukey, now);
	if (left == 0)
		left = lockout_remaining(&priv_lockout, akey, now);
	if (left > 0) {
		log_info("%s: user %s from %s: locked out, %lld s left",
		    __func__, req->user, req->addr, (long long)left);
		return PRIV_LOCKED;
	}
	result = priv_pam_isolated(req, delay_ms);
	if (result == PRIV_OK) {
		lockout_success(&priv_lockout, ukey);
		return result;
	}
	if (lockout_fail(&priv_lockout, ukey, now))
		log_warnx("%s: user %s locked out for %u s", __func__,
		    req->user, priv_conf->lockout_duration);
	if (lockout_fail(&priv_lockout, akey, now))
		log_warnx("%s: address %s locked out for %u s", __func__,
		    req->addr, priv_conf->lockout_duration);
	return result;
}

static int
priv_valid_req(const struct priv_auth_req *req)
{
	size_t	 i;

	if (memchr(req->user, '\0', sizeof(req->user)) == NULL ||
	    memchr(req->addr, '\0', sizeof(req->addr)) == NULL ||
	    memchr(req->pass, '\0', sizeof(req->pass)) == NULL)
		return 0;
	for (i = 0; req->addr[i] != '\0'; i++)
		if (req->addr[i] <= ' ' || req->addr[i] > '~')
			return 0;
	return i > 0 && proto_valid_user(req->user, strlen(req->user)) &&
	    proto_valid_pass(req->pass, strlen(req->pass));
}

static void
priv_auth(int fd, void *msg)
{
	struct priv_auth_req	*req = msg;
	struct priv_auth_rep	 rep = { .type = PRIV_AUTH_REP, .id = req->id };
	unsigned		 delay_ms = 0;

	if (!priv_valid_req(req)) {
		log_warnx("%s: malformed request, ignored", __func__);
		rep.result = PRIV_ERROR;
	} else
		rep.result = priv_authenticate(req, &delay_ms);
	rep.delay_ms = delay_ms;
	log_info("%s: user %s from %s: %s", __func__,
	    rep.result == PRIV_ERROR ? "-" : req->user, req->addr,
	    priv_result_name(rep.result));
	if (send(fd, &rep, sizeof(rep), MSG_NOSIGNAL) != sizeof(rep))
		log_warn("%s: send", __func__);
}

/* Receive and dispatch one message.  Returns -1 when the peer is gone. */
static int
priv_dispatch(int fd)
{
	union {
		uint32_t		type;
		struct priv_auth_req	auth;
	} msg;
	ssize_t	 n;

	n = recv(fd, &msg, sizeof(msg), MSG_TRUNC);
	if (n <= 0)
		return n == -1 && errno == EINTR ? 0 : -1;
	if ((size_t)n < sizeof(msg.type) || msg.type >= PRIV_TYPE_MAX ||
	    priv_handlers[msg.type].fn == NULL ||
	    priv_handlers[msg.type].size != (size_t)n)
		log_warnx("%s: bad message (%zd bytes), ignored", __func__, n);
	else
		priv_handlers[msg.type].fn(fd, &msg);
	explicit_bzero(&msg, sizeof(msg));
	return 0;
}

static void
priv_sighandler(int sig)
{
	(void)sig;
	priv_quit = 1;
}

static void
priv_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = priv_sighandler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
}

/* Serve requests until told to stop or the network process goes away. */
int
priv_main(int fd, const struct vmauthd_conf *conf, pid_t netpid)
{
	int	 status, r;

	log_setproc("priv");
	priv_conf = conf;
	r = lockout_init(&priv_lockout, PRIV_LOCKOUT_SLOTS,
	    conf->lockout_threshold, conf->lockout_window,
	    conf->lockout_duration);
	if (r < 0)
		fatalx("%s: lockout table: %s", __func__, strerror(-r));
	priv_signals();
	while (!priv_quit && priv_dispatch(fd) == 0)
		;
	log_info("%s: shutting down", __func__);
	kill(netpid, SIGTERM);
	while (waitpid(netpid, &status, 0) == -1 && errno == EINTR)
		;
	lockout_free(&priv_lockout);
	return 0;
}
