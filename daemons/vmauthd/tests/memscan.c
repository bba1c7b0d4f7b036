/*
 * memscan - does process PID hold STRING anywhere in its writable
 * memory?  Prints the number of hits.  Needs ptrace rights (root).
 *
 *	memscan PID STRING
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t
scan_region(int fd, unsigned long lo, unsigned long hi, const char *needle)
{
	static char	 buf[1 << 20];
	size_t		 nlen = strlen(needle), hits = 0;
	unsigned long	 off;
	ssize_t		 n, i;

	for (off = lo; off < hi; off += sizeof(buf) - nlen) {
		size_t want = hi - off < sizeof(buf) ? hi - off : sizeof(buf);

		n = pread(fd, buf, want, (off_t)off);
		if (n <= 0)
			break;
		for (i = 0; i + (ssize_t)nlen <= n; i++)
			if (memcmp(buf + i, needle, nlen) == 0) {
				hits++;
				if (getenv("MEMSCAN_VERBOSE"))
					fprintf(stderr, "hit at %lx: %.*s\n",
					    off + i, 40, buf + i);
			}
		if ((size_t)n < sizeof(buf))
			break;
	}
	return hits;
}

int
main(int argc, char **argv)
{
	char		 path[64], line[512], perms[8];
	unsigned long	 lo, hi;
	size_t		 hits = 0;
	FILE		*maps;
	int		 fd;

	if (argc != 3)
		return 2;
	snprintf(path, sizeof(path), "/proc/%s/maps", argv[1]);
	if ((maps = fopen(path, "r")) == NULL)
		return 1;
	snprintf(path, sizeof(path), "/proc/%s/mem", argv[1]);
	if ((fd = open(path, O_RDONLY)) == -1)
		return 1;
	while (fgets(line, sizeof(line), maps) != NULL) {
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) != 3)
			continue;
		if (perms[0] == 'r' && perms[1] == 'w')
			hits += scan_region(fd, lo, hi, argv[2]);
	}
	printf("%zu\n", hits);
	return 0;
}
