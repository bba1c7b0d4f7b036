/*
 * lockout.h - failure counting and temporary lockout.
 *
 * A key ("u:alice" or "a:192.0.2.7") is locked for `duration` seconds once
 * it collects `threshold` failures within `window` seconds.  The table is
 * fixed-size; when full, the least recently failing unlocked key is
 * forgotten.  Time is passed in so the module is pure and testable.
 */
#ifndef VMAUTHD_LOCKOUT_H
#define VMAUTHD_LOCKOUT_H

#include <stddef.h>
#include <time.h>

#define LOCKOUT_KEY_MAX	96

struct lockout_entry {
	char		 key[LOCKOUT_KEY_MAX];
	unsigned	 fails;
	time_t		 first;		/* first failure of this window */
	time_t		 last;
	time_t		 until;		/* locked while now < until */
};

struct lockout {
	struct lockout_entry *tab;
	size_t		 size;
	unsigned	 threshold;
	unsigned	 window;
	unsigned	 duration;
};

int	lockout_init(struct lockout *lo, size_t size, unsigned threshold,
	    unsigned window, unsigned duration);
void	lockout_free(struct lockout *lo);
time_t	lockout_remaining(struct lockout *lo, const char *key, time_t now);
int	lockout_fail(struct lockout *lo, const char *key, time_t now);
void	lockout_success(struct lockout *lo, const char *key);

#endif
