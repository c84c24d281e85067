/* Diagnostics on stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

bool log_verbose;

static void vlog(const char *fmt, va_list ap)
{
	fputs("linger: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
