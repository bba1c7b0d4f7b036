/*
 * lockout.c - per-key failure counters with expiry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lockout.h"

int
lockout_init(struct lockout *lo, size_t size, unsigned threshold,
    unsigned window, unsigned duration)
{
	if (size == 0 || threshold == 0)
		return -EINVAL;
	lo->tab = calloc(size, sizeof(*lo->tab));
	if (lo->tab == NULL)
		return -ENOMEM;
	lo->size = size;
	lo->threshold = threshold;
	lo->window = window;
	lo->duration = duration;
	return 0;
}

void
lockout_free(struct lockout *lo)
{
	free(lo->tab);
	lo->tab = NULL;
	lo->size = 0;
}

static struct lockout_entry *
lockout_find(struct lockout *lo, const char *key)
{
	size_t	 i;

	for (i = 0; i < lo->size; i++)
		if (lo->tab[i].key[0] != '\0' &&
		    strcmp(lo->tab[i].key, key) == 0)
			return &lo->tab[i];
	return NULL;
}

/* An entry that is neither locked nor counting inside its window. */
static int
lockout_stale(const struct lockout *lo, const struct lockout_entry *e,
    time_t now)
{
	return e->key[0] == '\0' ||
	    (now >= e->until && now - e->first >= (time_t)lo->window);
}

/* A free or stale slot, else the least recently failing unlocked one. */
static struct lockout_entry *
lockout_victim(struct lockout *lo, time_t now)
{
	struct lockout_entry *best = NULL, *e;
	size_t	 i;

	for (i = 0; i < lo->size; i++) {
		e = &lo->tab[i];
		if (lockout_stale(lo, e, now))
			return e;
		if (now < e->until)
			continue;
		if (best == NULL || e->last < best->last)
			best = e;
	}
	return best ? best : &lo->tab[0];
}

/* Seconds key stays locked, 0 when it is not locked. */
time_t
lockout_remaining(struct lockout *lo, const char *key, time_t now)
{
	struct lockout_entry *e = lockout_find(lo, key);

	if (e == NULL || now >= e->until)
		return 0;
	return e->until - now;
}

/* Count a failure; returns 1 when this failure locked the key. */
int
lockout_fail(struct lockout *lo, const char *key, time_t now)
{
	struct lockout_entry *e = lockout_find(lo, key);

	if (e == NULL || lockout_stale(lo, e, now)) {
		if (e == NULL)
			e = lockout_victim(lo, now);
		memset(e, 0, sizeof(*e));
		strncpy(e->key, key, sizeof(e->key) - 1);
		e->first = now;
	}
	e->last = now;
	if (++e->fails < lo->threshold || now < e->until)
		return 0;
	e->until = now + lo->duration;
	e->fails = 0;
	e->first = now;
	return 1;
}

void
lockout_success(struct lockout *lo, const char *key)
{
	struct lockout_entry *e = lockout_find(lo, key);

	if (e != NULL)
		memset(e, 0, sizeof(*e));
}
