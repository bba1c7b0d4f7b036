/*
 * vmauthd.c - startup: configuration, listeners, and the split into the
 * privileged PAM process (parent) and the network process (child).
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "net.h"
#include "priv.h"
#include "tls.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: vmauthd [-dnSv] [-f file] [-p port]\n");
	exit(2);
}

/* No core dumps and no ptrace by ordinary users: memory holds secrets. */
static void
harden(void)
{
	struct rlimit	 rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		fatal("%s: setrlimit", __func__);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("%s: prctl", __func__);
	if (tls_wipe_on_free() < 0)
		fatalx("%s: cannot hook OpenSSL memory functions", __func__);
}

static int
listen_bound_port(int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	char			 port[16];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    getnameinfo((struct sockaddr *)&ss, len, NULL, 0, port,
	    sizeof(port), NI_NUMERICSERV) != 0)
		return -1;
	return atoi(port);
}

static int
listen_tcp(const struct vmauthd_conf *conf)
{
	struct addrinfo	 hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo	*ai;
	char		 port[16];
	int		 fd, one = 1, r;

	snprintf(port, sizeof(port), "%u", conf->port);
	if ((r = getaddrinfo(conf->listen, port, &hints, &ai)) != 0)
		fatalx("%s: %s: %s", __func__, conf->listen, gai_strerror(r));
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		fatal("%s: socket", __func__);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1)
		fatal("%s: bind %s port %s", __func__, conf->listen, port);
	freeaddrinfo(ai);
	if (listen(fd, 128) == -1)
		fatal("%s: listen", __func__);
	log_info("%s: listening on %s port %d", __func__, conf->listen,
	    listen_bound_port(fd));
	return fd;
}

static void
local_prepare(const char *path)
{
	char		 dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat	 st;

	strcpy(dir, path);
	if (mkdir(dirname(dir), 0755) == -1 && errno != EEXIST)
		fatal("%s: mkdir %s", __func__, dir);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			fatalx("%s: %s exists and is not a socket", __func__,
			    path);
		unlink(path);
	}
}

static void
local_perms(const char *path, const char *group)
{
	struct group	*gr;

	if (chmod(path, 0660) == -1)
		fatal("%s: chmod %s", __func__, path);
	if (group[0] == '\0')
		return;
	if ((gr = getgrnam(group)) == NULL)
		fatalx("%s: unknown group %s", __func__, group);
	if (chown(path, (uid_t)-1, gr->gr_gid) == -1)
		fatal("%s: chown %s", __func__, path);
}

static int
listen_local(const struct vmauthd_conf *conf)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	mode_t			 old;
	int			 fd;

	if (strcmp(conf->local_socket, "none") == 0)
		return -1;
	if (strlen(conf->local_socket) >= sizeof(sun.sun_path))
		fatalx("%s: socket path too long", __func__);
	strcpy(sun.sun_path, conf->local_socket);
	local_prepare(conf->local_socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		fatal("%s: socket", __func__);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("%s: bind %s", __func__, conf->local_socket);
	umask(old);
	local_perms(conf->local_socket, conf->local_group);
	if (listen(fd, 32) == -1)
		fatal("%s: listen", __func__);
	log_info("%s: local API on %s", __func__, conf->local_socket);
	return fd;
}

static SSL_CTX *
tls_setup(const struct vmauthd_conf *conf)
{
	SSL_CTX	*ctx = NULL;
	int	 r;

	if (!conf->tls) {
		log_warnx("%s: TLS disabled, passwords travel in clear",
		    __func__);
		return NULL;
	}
	if ((r = tls_ctx_create(conf->cert, conf->key, &ctx)) < 0)
		fatalx("%s: cannot set up TLS with %s", __func__, conf->cert);
	return ctx;
}

static void
parse_args(int argc, char **argv, struct vmauthd_conf *conf, int *fg,
    int *check)
{
	const char	*file = VMAUTHD_CONF, *port = NULL;
	int		 ch, debug = 0, syslog_fg = 0, explicit = 0;

	while ((ch = getopt(argc, argv, "df:np:Sv")) != -1) {
		switch (ch) {
		case 'd': *fg = 1; break;
		case 'f': file = optarg; explicit = 1; break;
		case 'n': *check = 1; break;
		case 'p': port = optarg; break;
		case 'S': syslog_fg = 1; break;
		case 'v': debug = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(*fg && !syslog_fg, debug, "vmauthd");
	conf_defaults(conf);
	if (conf_load(conf, file, explicit) < 0)
		fatalx("%s: bad configuration %s", __func__, file);
	if (port != NULL)
		conf->port = atoi(port);
}

/* -n: check the configuration and the permission file, then exit. */
static int
check_files(const struct vmauthd_conf *conf)
{
	struct perm_set	 ps;
	size_t		 line = 0;
	int		 r;

	if ((r = perm_load(conf->permissions, &ps, &line)) < 0) {
		if (line > 0)
			fprintf(stderr, "%s:%zu: ", conf->permissions, line);
		else
			fprintf(stderr, "%s: ", conf->permissions);
		fprintf(stderr, "%s\n", strerror(-r));
		return 1;
	}
	fprintf(stderr, "configuration OK, %zu permission rules\n",
	    ps.nrules);
	perm_free(&ps);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct vmauthd_conf conf;
	SSL_CTX			*ctx;
	int			 sp[2], tcpfd, localfd, fg = 0, check = 0;
	pid_t			 pid;

	harden();
	parse_args(argc, argv, &conf, &fg, &check);
	if (check)
		return check_files(&conf);
	ctx = tls_setup(&conf);
	tcpfd = listen_tcp(&conf);
	localfd = listen_local(&conf);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("%s: socketpair", __func__);
	if (!fg && daemon(0, 0) == -1)
		fatal("%s: daemon", __func__);
	if ((pid = fork()) == -1)
		fatal("%s: fork", __func__);
	if (pid == 0) {
		close(sp[0]);
		return net_main(sp[1], tcpfd, localfd, ctx, &conf) < 0;
	}
	close(sp[1]);
	close(tcpfd);
	if (localfd != -1)
		close(localfd);
	SSL_CTX_free(ctx);
	return priv_main(sp[0], &conf, pid) < 0;
}
