/*
 * log.c - syslog or stderr logging, modelled on OpenBSD's log.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int	 log_foreground;
static int	 log_debugging;
static const char *log_proc = "main";

void
log_init(int foreground, int debug, const char *ident)
{
	log_foreground = foreground;
	log_debugging = debug;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setproc(const char *procname)
{
	log_proc = procname;
}

static void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 msg[1024];

	if (pri == LOG_DEBUG && !log_debugging)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_foreground) {
		fprintf(stderr, "vmauthd[%ld] %s: %s\n", (long)getpid(),
		    log_proc, msg);
		fflush(stderr);
	} else
		syslog(pri, "%s: %s", log_proc, msg);
}

static void
vlog_errno(int pri, const char *fmt, va_list ap)
{
	char	 msg[900];
	int	 saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (pri == LOG_DEBUG && !log_debugging)
		return;
	if (log_foreground) {
		fprintf(stderr, "vmauthd[%ld] %s: %s: %s\n", (long)getpid(),
		    log_proc, msg, strerror(saved));
		fflush(stderr);
	} else
		syslog(pri, "%s: %s: %s", log_proc, msg, strerror(saved));
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
