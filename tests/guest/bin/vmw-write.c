// SPDX-License-Identifier: GPL-2.0
/*
 * vmw-write FILE VALUE: write VALUE to FILE in one write() call, as echo
 * does, and report the exact error. Exits 0 on success, 1 on error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: vmw-write FILE VALUE\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	len = strlen(argv[2]);
	if (write(fd, argv[2], len) != (ssize_t)len) {
		printf("write: %s\n", strerror(errno));
		return 1;
	}
	return close(fd) ? 1 : 0;
}
