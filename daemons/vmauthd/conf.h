/*
 * conf.h - vmauthd configuration (see vmauthd.conf for the keys).
 */
#ifndef VMAUTHD_CONF_H
#define VMAUTHD_CONF_H

#include <limits.h>

#define VMAUTHD_CONF	"/etc/vmauthd/vmauthd.conf"

struct vmauthd_conf {
	char		 listen[64];
	unsigned	 port;
	char		 local_socket[108];
	char		 local_group[64];
	char		 user[64];
	unsigned	 tls;
	char		 cert[PATH_MAX];
	char		 key[PATH_MAX];
	char		 permissions[PATH_MAX];
	char		 pam_service[64];
	unsigned	 max_conns;
	unsigned	 idle_timeout;
	unsigned	 login_timeout;
	unsigned	 fail_delay_ms;
	unsigned	 max_tries;
	unsigned	 lockout_threshold;
	unsigned	 lockout_window;
	unsigned	 lockout_duration;
	unsigned	 ticket_ttl;
	unsigned	 tickets_max;
};

void	conf_defaults(struct vmauthd_conf *conf);
int	conf_load(struct vmauthd_conf *conf, const char *path, int must_exist);

#endif
