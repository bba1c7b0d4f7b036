/*
 * authd.c - the TCP front end: VMware's authd line protocol.
 *
 *	S: 220 VMware Authentication Daemon Version 1.10: SSL Required, ...
 *	   (the client starts TLS at once; everything below is inside it)
 *	C: USER alice		S: 331 Password required for alice.
 *	C: PASS secret		S: 230 User alice logged in.
 *				   or 530 Login incorrect.
 *	C: TICKET		S: 250 TICKET <64 hex digits> <seconds>
 *	C: NOOP			S: 200 OK.
 *	C: QUIT			S: 221 Goodbye.
 *
 * TICKET is our extension: a session ticket that vmserverd and the
 * console accept instead of the password.  Errors: 500 unknown or
 * malformed line, 501 bad argument, 503 bad sequence, 421 closing.
 */
#include <string.h>
#include <time.h>

#include "log.h"
#include "net.h"

#define AUTHD_BANNER "220 VMware Authentication Daemon Version 1.10: "
#define AUTHD_FEATURES "ServerDaemonProtocol:SOAP, " \
	"MKSDisplayProtocol:VNC , VMXARGS supported"

enum authd_state { AUTHD_USER, AUTHD_PASS, AUTHD_LOGGED_IN };
enum authd_cmd { CMD_USER, CMD_PASS, CMD_TICKET, CMD_NOOP, CMD_QUIT,
	CMD_MAX };

static const struct proto_verb authd_verbs[] = {
	{ "USER",	CMD_USER },
	{ "PASS",	CMD_PASS },
	{ "TICKET",	CMD_TICKET },
	{ "NOOP",	CMD_NOOP },
	{ "QUIT",	CMD_QUIT },
	{ NULL,		0 }
};

static void
authd_start(struct conn *c)
{
	if (net_env->conf->tls)
		conn_reply(c, AUTHD_BANNER "SSL Required, " AUTHD_FEATURES);
	else
		conn_reply(c, AUTHD_BANNER AUTHD_FEATURES);
}

static void
authd_user(struct conn *c, const struct proto_cmd *cmd)
{
	if (c->fe_state == AUTHD_LOGGED_IN) {
		conn_reply(c, "503 Already logged in.");
		return;
	}
	if (cmd->arg == NULL || !proto_valid_user(cmd->arg, cmd->arglen)) {
		conn_reply(c, "501 Invalid user name.");
		return;
	}
	memcpy(c->user, cmd->arg, cmd->arglen);
	c->user[cmd->arglen] = '\0';
	c->fe_state = AUTHD_PASS;
	conn_reply(c, "331 Password required for %s.", c->user);
}

static void
authd_pass(struct conn *c, const struct proto_cmd *cmd)
{
	if (c->fe_state != AUTHD_PASS) {
		conn_reply(c, c->fe_state == AUTHD_LOGGED_IN ?
		    "503 Already logged in." : "503 Login with USER first.");
		return;
	}
	if (cmd->arg == NULL || !proto_valid_pass(cmd->arg, cmd->arglen)) {
		conn_auth_reject(c);
		return;
	}
	if (conn_auth(c, c->user, cmd->arg, cmd->arglen, c->addr) < 0) {
		conn_reply(c, "421 Service not available, closing.");
		conn_close(c);
	}
}

static void
authd_ticket(struct conn *c, const struct proto_cmd *cmd)
{
	char	 tok[TICKET_HEX_LEN + 1];

	(void)cmd;
	if (c->fe_state != AUTHD_LOGGED_IN) {
		conn_reply(c, "530 Please login with USER and PASS.");
		return;
	}
	if (ticket_issue(&net_env->tickets, c->user, time(NULL), tok) < 0) {
		log_warnx("%s: ticket store full", __func__);
		conn_reply(c, "451 No ticket available, try later.");
		return;
	}
	log_info("%s: ticket issued to %s from %s", __func__, c->user,
	    c->addr);
	conn_reply(c, "250 TICKET %s %u", tok, net_env->conf->ticket_ttl);
	explicit_bzero(tok, sizeof(tok));
}

static void
authd_noop(struct conn *c, const struct proto_cmd *cmd)
{
	(void)cmd;
	conn_reply(c, "200 OK.");
}

static void
authd_quit(struct conn *c, const struct proto_cmd *cmd)
{
	(void)cmd;
	conn_reply(c, "221 Goodbye.");
	conn_close(c);
}

static void (*const authd_handlers[CMD_MAX])(struct conn *,
    const struct proto_cmd *) = {
	[CMD_USER] = authd_user,
	[CMD_PASS] = authd_pass,
	[CMD_TICKET] = authd_ticket,
	[CMD_NOOP] = authd_noop,
	[CMD_QUIT] = authd_quit,
};

static void
authd_line(struct conn *c, char *line, size_t len)
{
	struct proto_cmd	 cmd;
	int			 id;

	if (proto_split(line, len, &cmd) < 0) {
		log_debug("%s: %s: malformed line", __func__, c->addr);
		conn_reply(c, "500 Malformed line.");
		return;
	}
	if ((id = proto_lookup(authd_verbs, cmd.verb)) < 0) {
		conn_reply(c, "500 Unknown command.");
		return;
	}
	authd_handlers[id](c, &cmd);
}

static void
authd_auth_done(struct conn *c, int result)
{
	if (result == PRIV_OK) {
		c->fe_state = AUTHD_LOGGED_IN;
		conn_logged_in(c);
		log_info("%s: user %s logged in from %s", __func__, c->user,
		    c->addr);
		conn_reply(c, "230 User %s logged in.", c->user);
		return;
	}
	c->fe_state = AUTHD_USER;
	conn_reply(c, "530 Login incorrect.");
	if ((unsigned)++c->fe_tries >= net_env->conf->max_tries) {
		log_info("%s: %s: too many failures, closing", __func__,
		    c->addr);
		conn_reply(c, "421 Too many login failures, closing.");
		conn_close(c);
	}
}

static void
authd_too_long(struct conn *c)
{
	log_info("%s: %s: line too long, closing", __func__, c->addr);
	conn_reply(c, "500 Line too long.");
	conn_close(c);
}

static void
authd_timeout(struct conn *c)
{
	conn_reply(c, "421 Timeout, closing connection.");
}

const struct conn_ops authd_ops = {
	.eol = "\r\n",
	.start = authd_start,
	.line = authd_line,
	.auth_done = authd_auth_done,
	.too_long = authd_too_long,
	.timeout = authd_timeout,
};
