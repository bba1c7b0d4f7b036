/*
 * log.h - logging for vmauthd.
 *
 * Messages go to syslog (LOG_DAEMON), or to stderr in foreground mode.
 * Callers pass __func__ themselves, OpenBSD style:
 *	log_warnx("%s: bad request from %s", __func__, addr);
 * Never pass a password, ticket or other secret to these functions.
 */
#ifndef VMAUTHD_LOG_H
#define VMAUTHD_LOG_H

#include <stdarg.h>

void	log_init(int foreground, int debug, const char *ident);
void	log_setproc(const char *procname);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
