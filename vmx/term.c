// SPDX-License-Identifier: GPL-2.0
/*
 * serial0's other end: this process's stdin/stdout (a tty is put in raw
 * mode; Ctrl-A x powers the VM off), a file (output only), or a Unix
 * stream socket vmx listens on ("pipe"; one client at a time, output is
 * dropped while none is connected).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "vmx.h"

struct term {
	int in_fd, out_fd;	/* -1 when none */
	int listen_fd;
	bool tty;
	bool ctrl_a;
	struct termios saved;
	char *sock_path;
};

static void write_all(struct term *t, const u8 *buf, size_t n)
{
	while (n && t->out_fd >= 0) {
		ssize_t r = write(t->out_fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (t->listen_fd >= 0) {	/* the client went away */
				close(t->out_fd);
				t->in_fd = t->out_fd = -1;
			}
			return;
		}
		buf += r;
		n -= r;
	}
}

void term_write(struct vm *vm, const u8 *buf, size_t n)
{
	if (vm->term)
		write_all(vm->term, buf, n);
}

static int open_stdio(struct term *t)
{
	struct termios raw;

	t->in_fd = STDIN_FILENO;
	t->out_fd = STDOUT_FILENO;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t->saved) < 0)
		return 0;
	raw = t->saved;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
		t->tty = true;
		pr_info("console on this terminal; Ctrl-A x powers the VM off");
	}
	return 0;
}

static int open_socket(struct term *t, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		pr_err("serial0.fileName %s: socket path too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);		/* a stale socket from an earlier run */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1) < 0) {
		ret = -errno;
		pr_err("serial0 socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	t->listen_fd = fd;
	t->sock_path = strdup(path);
	return t->sock_path ? 0 : -ENOMEM;
}

int term_init(struct vm *vm)
{
	struct term *t = calloc(1, sizeof(*t));
	int ret = 0;

	if (!t)
		return -ENOMEM;
	t->in_fd = t->out_fd = t->listen_fd = -1;
	vm->term = t;
	switch (vm->cfg.serial) {
	case SERIAL_NONE:
		break;
	case SERIAL_STDIO:
		ret = open_stdio(t);
		break;
	case SERIAL_FILE:
		t->out_fd = open(vm->cfg.serial_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (t->out_fd < 0) {
			ret = -errno;
			pr_err("serial0.fileName %s: %s", vm->cfg.serial_path, strerror(errno));
		}
		break;
	case SERIAL_PIPE:
		ret = open_socket(t, vm->cfg.serial_path);
		break;
	}
	return ret;
}

void term_exit(struct vm *vm)
{
	struct term *t = vm->term;

	if (!t)
		return;
	if (t->tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	if (t->listen_fd >= 0) {
		close(t->listen_fd);
		if (t->out_fd >= 0)
			close(t->out_fd);
		unlink(t->sock_path);
	} else if (vm->cfg.serial == SERIAL_FILE && t->out_fd >= 0) {
		close(t->out_fd);
	}
	free(t->sock_path);
	free(t);
	vm->term = NULL;
}

/* The fds the main loop should wait on; input only while the UART has room. */
int term_poll_fds(struct vm *vm, struct pollfd *fds, int max)
{
	struct term *t = vm->term;
	int n = 0;

	if (!t || max < 2)
		return 0;
	if (t->listen_fd >= 0 && t->out_fd < 0)
		fds[n++] = (struct pollfd){ .fd = t->listen_fd, .events = POLLIN };
	pthread_mutex_lock(&vm->lock);
	if (t->in_fd >= 0 && serial_rx_room(vm))
		fds[n++] = (struct pollfd){ .fd = t->in_fd, .events = POLLIN };
	pthread_mutex_unlock(&vm->lock);
	return n;
}

/* Ctrl-A x on a terminal powers off; Ctrl-A Ctrl-A sends one Ctrl-A. */
static size_t filter_escape(struct vm *vm, struct term *t, u8 *buf, size_t n)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		if (t->ctrl_a) {
			t->ctrl_a = false;
			if (buf[i] == 'x') {
				vm_stop(vm, VM_POWEROFF, "powered off from the console (Ctrl-A x)");
				continue;
			}
			if (buf[i] != 1)
				buf[out++] = 1;
		} else if (buf[i] == 1) {
			t->ctrl_a = true;
			continue;
		}
		buf[out++] = buf[i];
	}
	return out;
}

static void read_input(struct vm *vm, struct term *t)
{
	u8 buf[256];
	size_t room;
	ssize_t r;

	pthread_mutex_lock(&vm->lock);
	room = serial_rx_room(vm);
	if (room > sizeof(buf))
		room = sizeof(buf);
	r = room ? read(t->in_fd, buf, room) : 0;
	if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
		if (room) {	/* end of input: stop reading, keep the VM */
			if (t->listen_fd >= 0) {
				close(t->in_fd);
				t->out_fd = -1;
			}
			t->in_fd = -1;
		}
	} else if (r > 0) {
		if (t->tty)
			r = filter_escape(vm, t, buf, r);
		serial_receive(vm, buf, r);
	}
	pthread_mutex_unlock(&vm->lock);
}

int term_poll_events(struct vm *vm, struct pollfd *fds, int n)
{
	struct term *t = vm->term;
	int i, fd;

	for (i = 0; i < n; i++) {
		if (!fds[i].revents)
			continue;
		if (fds[i].fd == t->listen_fd) {
			fd = accept4(t->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0) {
				pthread_mutex_lock(&vm->lock);
				t->in_fd = t->out_fd = fd;
				pthread_mutex_unlock(&vm->lock);
			}
		} else if (fds[i].fd == t->in_fd) {
			read_input(vm, t);
		}
	}
	return 0;
}
