/*
 * api.c - the local Unix-socket API used by vmserverd.
 *
 * LF-terminated lines; each request gets one "OK ..." or "ERR reason"
 * line (RULES first sends one RULE line per matching rule):
 *
 *	AUTH <addr> <user> <password>	OK | ERR denied
 *	LOGIN <addr> <user> <password>	OK <ticket> <ttl> | ERR denied
 *	VERIFY <ticket>			OK <user> <seconds left> | ERR invalid
 *	REVOKE <ticket>			OK | ERR invalid
 *	ACCESS <user> <vmx path>	OK none|read|operate|admin
 *	RULES <user>			RULE <level> <glob> ... OK <count>
 *	QUIT				OK bye
 *
 * <addr> is the address of vmserverd's own client, used for lockout and
 * logging; "-" when unknown.  The password is the rest of the line.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "net.h"

#define API_LOGIN	1	/* fe_flags: issue a ticket on success */

enum api_cmd { API_AUTH, API_LOGIN_CMD, API_VERIFY, API_REVOKE,
	API_ACCESS, API_RULES, API_QUIT, API_MAX };

static const struct proto_verb api_verbs[] = {
	{ "AUTH",	API_AUTH },
	{ "LOGIN",	API_LOGIN_CMD },
	{ "VERIFY",	API_VERIFY },
	{ "REVOKE",	API_REVOKE },
	{ "ACCESS",	API_ACCESS },
	{ "RULES",	API_RULES },
	{ "QUIT",	API_QUIT },
	{ NULL,		0 }
};

static void
api_start(struct conn *c)
{
	conn_logged_in(c);	/* local peers have no login deadline */
}

/* Copy a word into buf (size bytes); 0 when it is empty or too long. */
static int
api_word(const char **s, size_t *len, char *buf, size_t size)
{
	const char	*w;
	size_t		 wl;

	if (!proto_next_word(s, len, &w, &wl) || wl >= size)
		return 0;
	memcpy(buf, w, wl);
	buf[wl] = '\0';
	return 1;
}

static void
api_auth(struct conn *c, const struct proto_cmd *cmd, int flags)
{
	const char	*s = cmd->arg;
	size_t		 len = cmd->arglen;
	char		 addr[PRIV_ADDR_MAX];

	if (!api_word(&s, &len, addr, sizeof(addr)) ||
	    !api_word(&s, &len, c->user, sizeof(c->user)) ||
	    !proto_valid_user(c->user, strlen(c->user))) {
		conn_reply(c, "ERR syntax");
		return;
	}
	if (strcmp(addr, "-") == 0)
		strcpy(addr, "local");
	c->fe_flags = flags;
	if (s == NULL || !proto_valid_pass(s, len))
		conn_auth_reject(c);
	else if (conn_auth(c, c->user, s, len, addr) < 0)
		conn_reply(c, "ERR busy");
}

static void
api_verify(struct conn *c, const struct proto_cmd *cmd)
{
	char	 user[PROTO_USER_MAX + 1], tok[TICKET_HEX_LEN + 1];
	time_t	 left;

	if (cmd->arg == NULL || !proto_valid_token(cmd->arg, cmd->arglen)) {
		conn_reply(c, "ERR invalid");
		return;
	}
	memcpy(tok, cmd->arg, TICKET_HEX_LEN);
	tok[TICKET_HEX_LEN] = '\0';
	if (ticket_verify(&net_env->tickets, tok, time(NULL), user,
	    &left) < 0)
		conn_reply(c, "ERR invalid");
	else
		conn_reply(c, "OK %s %lld", user, (long long)left);
	explicit_bzero(tok, sizeof(tok));
}

static void
api_revoke(struct conn *c, const struct proto_cmd *cmd)
{
	char	 tok[TICKET_HEX_LEN + 1];

	if (cmd->arg == NULL || !proto_valid_token(cmd->arg, cmd->arglen)) {
		conn_reply(c, "ERR invalid");
		return;
	}
	memcpy(tok, cmd->arg, TICKET_HEX_LEN);
	tok[TICKET_HEX_LEN] = '\0';
	if (ticket_revoke(&net_env->tickets, tok) < 0)
		conn_reply(c, "ERR invalid");
	else {
		log_info("%s: ticket revoked", __func__);
		conn_reply(c, "OK");
	}
	explicit_bzero(tok, sizeof(tok));
}

static void
api_access(struct conn *c, const struct proto_cmd *cmd)
{
	const char	*s = cmd->arg;
	size_t		 len = cmd->arglen, ngroups;
	char		 user[PROTO_USER_MAX + 1], vmx[PROTO_LINE_MAX + 1];
	char		**groups;
	int		 level;

	if (!api_word(&s, &len, user, sizeof(user)) || s == NULL ||
	    !proto_valid_user(user, strlen(user))) {
		conn_reply(c, "ERR syntax");
		return;
	}
	memcpy(vmx, s, len);
	vmx[len] = '\0';
	if (net_groups(user, &groups, &ngroups) < 0) {
		conn_reply(c, "ERR internal");
		return;
	}
	level = perm_access(&net_env->perms, user,
	    (const char *const *)groups, ngroups, vmx);
	net_groups_free(groups, ngroups);
	conn_reply(c, "OK %s", perm_level_name(level));
}

static void
api_rules(struct conn *c, const struct proto_cmd *cmd)
{
	const struct perm_set *ps = &net_env->perms;
	char		**groups;
	size_t		 ngroups, i, n = 0;

	if (cmd->arg == NULL || !proto_valid_user(cmd->arg, cmd->arglen)) {
		conn_reply(c, "ERR syntax");
		return;
	}
	if (net_groups(cmd->arg, &groups, &ngroups) < 0) {
		conn_reply(c, "ERR internal");
		return;
	}
	for (i = 0; i < ps->nrules; i++) {
		if (!perm_rule_applies(&ps->rules[i], cmd->arg,
		    (const char *const *)groups, ngroups))
			continue;
		conn_reply(c, "RULE %s %s",
		    perm_level_name(ps->rules[i].level), ps->rules[i].glob);
		n++;
	}
	net_groups_free(groups, ngroups);
	conn_reply(c, "OK %zu", n);
}

static void
api_auth_cmd(struct conn *c, const struct proto_cmd *cmd)
{
	api_auth(c, cmd, 0);
}

static void
api_login(struct conn *c, const struct proto_cmd *cmd)
{
	api_auth(c, cmd, API_LOGIN);
}

static void
api_quit(struct conn *c, const struct proto_cmd *cmd)
{
	(void)cmd;
	conn_reply(c, "OK bye");
	conn_close(c);
}

static void (*const api_handlers[API_MAX])(struct conn *,
    const struct proto_cmd *) = {
	[API_AUTH] = api_auth_cmd,
	[API_LOGIN_CMD] = api_login,
	[API_VERIFY] = api_verify,
	[API_REVOKE] = api_revoke,
	[API_ACCESS] = api_access,
	[API_RULES] = api_rules,
	[API_QUIT] = api_quit,
};

static void
api_line(struct conn *c, char *line, size_t len)
{
	struct proto_cmd	 cmd;
	int			 id;

	if (proto_split(line, len, &cmd) < 0) {
		conn_reply(c, "ERR syntax");
		return;
	}
	if ((id = proto_lookup(api_verbs, cmd.verb)) < 0) {
		conn_reply(c, "ERR unknown command");
		return;
	}
	api_handlers[id](c, &cmd);
}

static void
api_auth_done(struct conn *c, int result)
{
	char	 tok[TICKET_HEX_LEN + 1];

	if (result != PRIV_OK) {
		conn_reply(c, "ERR denied");
		return;
	}
	if (!(c->fe_flags & API_LOGIN)) {
		conn_reply(c, "OK");
		return;
	}
	if (ticket_issue(&net_env->tickets, c->user, time(NULL), tok) < 0) {
		conn_reply(c, "ERR no ticket available");
		return;
	}
	log_info("%s: ticket issued to %s", __func__, c->user);
	conn_reply(c, "OK %s %u", tok, net_env->conf->ticket_ttl);
	explicit_bzero(tok, sizeof(tok));
}

static void
api_too_long(struct conn *c)
{
	conn_reply(c, "ERR line too long");
	conn_close(c);
}

static void
api_timeout(struct conn *c)
{
	(void)c;
}

const struct conn_ops api_ops = {
	.eol = "\n",
	.start = api_start,
	.line = api_line,
	.auth_done = api_auth_done,
	.too_long = api_too_long,
	.timeout = api_timeout,
};
