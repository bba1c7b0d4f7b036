/*
 * conf.c - "key value" configuration file, one setting per line.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"

enum conf_type { CONF_STR, CONF_UINT, CONF_BOOL };

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 off;
	size_t		 size;		/* CONF_STR: buffer size */
	unsigned	 min, max;	/* CONF_UINT */
};

#define STR(f)		CONF_STR, offsetof(struct vmauthd_conf, f), \
			    sizeof(((struct vmauthd_conf *)0)->f), 0, 0
#define UINT(f, lo, hi)	CONF_UINT, offsetof(struct vmauthd_conf, f), 0, lo, hi
#define BOOL(f)		CONF_BOOL, offsetof(struct vmauthd_conf, f), 0, 0, 1

static const struct conf_key conf_keys[] = {
	{ "listen",		STR(listen) },
	{ "port",		UINT(port, 0, 65535) },
	{ "local_socket",	STR(local_socket) },
	{ "local_group",	STR(local_group) },
	{ "user",		STR(user) },
	{ "tls",		BOOL(tls) },
	{ "cert",		STR(cert) },
	{ "key",		STR(key) },
	{ "permissions",	STR(permissions) },
	{ "pam_service",	STR(pam_service) },
	{ "max_conns",		UINT(max_conns, 1, 4096) },
	{ "idle_timeout",	UINT(idle_timeout, 1, 86400) },
	{ "login_timeout",	UINT(login_timeout, 1, 86400) },
	{ "fail_delay_ms",	UINT(fail_delay_ms, 0, 60000) },
	{ "max_tries",		UINT(max_tries, 1, 100) },
	{ "lockout_threshold",	UINT(lockout_threshold, 1, 1000) },
	{ "lockout_window",	UINT(lockout_window, 1, 86400) },
	{ "lockout_duration",	UINT(lockout_duration, 0, 86400) },
	{ "ticket_ttl",		UINT(ticket_ttl, 1, 604800) },
	{ "tickets_max",	UINT(tickets_max, 1, 1000000) },
	{ NULL,			0, 0, 0, 0, 0 }
};

void
conf_defaults(struct vmauthd_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	strcpy(conf->listen, "0.0.0.0");
	conf->port = 902;
	strcpy(conf->local_socket, "/run/vmauthd/vmauthd.sock");
	strcpy(conf->user, "vmauthd");
	conf->tls = 1;
	strcpy(conf->cert, "/etc/vmauthd/cert.pem");
	strcpy(conf->key, "/etc/vmauthd/key.pem");
	strcpy(conf->permissions, "/etc/vmauthd/permissions");
	strcpy(conf->pam_service, "vmware-authd");
	conf->max_conns = 64;
	conf->idle_timeout = 60;
	conf->login_timeout = 120;
	conf->fail_delay_ms = 2000;
	conf->max_tries = 3;
	conf->lockout_threshold = 5;
	conf->lockout_window = 300;
	conf->lockout_duration = 300;
	conf->ticket_ttl = 3600;
	conf->tickets_max = 4096;
}

static int
conf_set_uint(const struct conf_key *k, unsigned *dst, const char *val)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno != 0 || *end != '\0' || end == val || v < k->min ||
	    v > k->max)
		return -EINVAL;
	*dst = v;
	return 0;
}

static int
conf_set(struct vmauthd_conf *conf, const struct conf_key *k, const char *val)
{
	char	*p = (char *)conf + k->off;

	switch (k->type) {
	case CONF_STR:
		if (strlen(val) >= k->size)
			return -ENAMETOOLONG;
		strcpy(p, val);
		return 0;
	case CONF_UINT:
		return conf_set_uint(k, (unsigned *)p, val);
	case CONF_BOOL:
		if (strcmp(val, "yes") == 0 || strcmp(val, "on") == 0)
			*(unsigned *)p = 1;
		else if (strcmp(val, "no") == 0 || strcmp(val, "off") == 0)
			*(unsigned *)p = 0;
		else
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

static int
conf_line(struct vmauthd_conf *conf, char *line)
{
	const struct conf_key *k;
	char	*key, *val, *save;

	line[strcspn(line, "#\r\n")] = '\0';
	if ((key = strtok_r(line, " \t", &save)) == NULL)
		return 0;
	val = strtok_r(NULL, " \t", &save);
	if (val == NULL || strtok_r(NULL, " \t", &save) != NULL)
		return -EINVAL;
	for (k = conf_keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			return conf_set(conf, k, val);
	return -ENOENT;
}

/* Load path over the current settings.  A missing file is fine unless
 * must_exist.  Errors are logged with the line number. */
int
conf_load(struct vmauthd_conf *conf, const char *path, int must_exist)
{
	char	 line[1024];
	FILE	*fp;
	int	 lineno = 0, r = 0;

	if ((fp = fopen(path, "re")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		r = -errno;
		log_warn("%s: %s", __func__, path);
		return r;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if ((r = conf_line(conf, line)) < 0) {
			log_warnx("%s: %s:%d: %s", __func__, path, lineno,
			    r == -ENOENT ? "unknown key" : "bad value");
			break;
		}
	}
	fclose(fp);
	return r;
}
