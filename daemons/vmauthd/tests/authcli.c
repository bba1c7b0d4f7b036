/*
 * authcli - test client for vmauthd.
 *
 *	authcli [-N] [-C cafile] [-t secs] [-T] [-r | -H] -p port [-h host]
 *	authcli -u socket [-t secs] [-r]
 *
 * TCP: prints the banner, starts TLS (unless -N), then for each stdin
 * line sends it with CR LF and prints one reply line.  -u talks to the
 * local API instead (LF lines; reads until an OK or ERR line).
 * -r sends stdin raw (no line handling) and prints every reply until
 * the server closes or the timeout; -H sends nothing and waits.
 * -T prefixes each reply with the milliseconds it took.
 * Prints EOF or TIMEOUT when the server closes or stays silent.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

struct cli {
	int	 fd;
	SSL	*ssl;
	char	 buf[8192];
	size_t	 len;
	int	 timeout_ms;
	int	 eol_crlf;
};

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
cli_connect_tcp(const char *host, const char *port)
{
	struct addrinfo	 hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int		 fd, one = 1;

	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd != -1)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (fd != -1 && connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int
cli_connect_unix(const char *path)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	int			 fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd != -1 && connect(fd, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Read more bytes into the buffer: >0 read, 0 EOF, -1 timeout/error. */
static int
cli_fill(struct cli *c)
{
	struct pollfd	 pfd = { .fd = c->fd, .events = POLLIN };
	int		 n;

	if (c->len == sizeof(c->buf))
		return -1;
	if (!(c->ssl && SSL_pending(c->ssl)) &&
	    poll(&pfd, 1, c->timeout_ms) <= 0)
		return -1;
	if (c->ssl)
		n = SSL_read(c->ssl, c->buf + c->len, sizeof(c->buf) - c->len);
	else
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n <= 0)
		return 0;
	c->len += n;
	return n;
}

/* One reply line without CR LF.  1 line, 0 EOF, -1 timeout. */
static int
cli_line(struct cli *c, char *out, size_t size)
{
	char	*lf;
	size_t	 n;
	int	 r;

	while ((lf = memchr(c->buf, '\n', c->len)) == NULL)
		if ((r = cli_fill(c)) <= 0)
			return r;
	n = lf - c->buf;
	c->len -= n + 1;
	if (n > 0 && c->buf[n - 1] == '\r')
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, c->buf, n);
	out[n] = '\0';
	memmove(c->buf, lf + 1, c->len);
	return 1;
}

/* Plain banner, read byte by byte so no TLS bytes are consumed. */
static int
cli_banner(struct cli *c)
{
	char	 line[1024];
	size_t	 n = 0;
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	while (n < sizeof(line) - 1) {
		if (poll(&pfd, 1, c->timeout_ms) <= 0 ||
		    read(c->fd, line + n, 1) != 1)
			break;
		if (line[n++] == '\n')
			break;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	line[n] = '\0';
	printf("%s\n", n ? line : "EOF");
	return strncmp(line, "220 ", 4) == 0 ? 0 : -1;
}

static int
cli_tls(struct cli *c, const char *cafile)
{
	SSL_CTX	*ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return -1;
	if (cafile != NULL) {
		SSL_CTX_load_verify_locations(ctx, cafile, NULL);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	c->ssl = SSL_new(ctx);
	SSL_CTX_free(ctx);
	SSL_set_fd(c->ssl, c->fd);
	if (SSL_connect(c->ssl) != 1) {
		printf("TLS handshake failed\n");
		ERR_print_errors_fp(stderr);
		return -1;
	}
	return 0;
}

static int
cli_send(struct cli *c, const char *buf, size_t len)
{
	if (c->ssl)
		return SSL_write(c->ssl, buf, len) == (int)len ? 0 : -1;
	return write(c->fd, buf, len) == (ssize_t)len ? 0 : -1;
}

static void
cli_print(int r, const char *line, double ms, int timing)
{
	if (timing)
		printf("%.1f ", ms);
	printf("%s\n", r > 0 ? line : r == 0 ? "EOF" : "TIMEOUT");
}

/* Script mode: one request line, one reply (API: until OK/ERR). */
static void
cli_script(struct cli *c, int api, int timing)
{
	static char in[4096], line[8192];
	double	 t0;
	int	 r = 1;

	while (r > 0 && fgets(in, sizeof(in), stdin) != NULL) {
		in[strcspn(in, "\r\n")] = '\0';
		strcat(in, c->eol_crlf ? "\r\n" : "\n");
		t0 = now_ms();
		if (cli_send(c, in, strlen(in)) < 0) {
			printf("EOF\n");
			return;
		}
		do {
			r = cli_line(c, line, sizeof(line));
			cli_print(r, line, now_ms() - t0, timing);
		} while (r > 0 && api && strncmp(line, "OK", 2) != 0 &&
		    strncmp(line, "ERR", 3) != 0);
	}
}

/* Raw mode: send stdin verbatim, print replies until EOF or timeout. */
static void
cli_raw(struct cli *c, int send_stdin)
{
	static char in[65536], line[8192];
	size_t	 n;
	int	 r;

	if (send_stdin) {
		n = fread(in, 1, sizeof(in), stdin);
		if (n > 0 && cli_send(c, in, n) < 0) {
			printf("EOF\n");
			return;
		}
	}
	while ((r = cli_line(c, line, sizeof(line))) > 0)
		printf("%s\n", line);
	cli_print(r, line, 0, 0);
}

int
main(int argc, char **argv)
{
	static struct cli c = { .fd = -1, .timeout_ms = 10000, .eol_crlf = 1 };
	const char	*host = "127.0.0.1", *port = NULL, *sock = NULL;
	const char	*cafile = NULL;
	int		 ch, plain = 0, raw = 0, hold = 0, timing = 0;

	while ((ch = getopt(argc, argv, "C:h:Hnp:rt:Tu:N")) != -1) {
		switch (ch) {
		case 'C': cafile = optarg; break;
		case 'h': host = optarg; break;
		case 'H': hold = 1; break;
		case 'N': plain = 1; break;
		case 'p': port = optarg; break;
		case 'r': raw = 1; break;
		case 't': c.timeout_ms = atof(optarg) * 1000; break;
		case 'T': timing = 1; break;
		case 'u': sock = optarg; break;
		default:
			fprintf(stderr, "usage: see authcli.c\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	c.fd = sock ? cli_connect_unix(sock) :
	    port ? cli_connect_tcp(host, port) : -1;
	if (c.fd == -1) {
		printf("CONNECT FAILED\n");
		return 1;
	}
	if (sock)
		c.eol_crlf = 0;
	else if (cli_banner(&c) < 0 || (!plain && cli_tls(&c, cafile) < 0))
		return 1;
	if (raw || hold)
		cli_raw(&c, raw);
	else
		cli_script(&c, sock != NULL, timing);
	if (c.ssl)
		SSL_free(c.ssl);
	close(c.fd);
	return 0;
}
