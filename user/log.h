/* Diagnostics on stderr; stdout carries only the table or JSON. */
#ifndef LINGER_LOG_H
#define LINGER_LOG_H

#include <stdbool.h>

extern bool log_verbose;

/* One line, prefixed "linger: ", always shown. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Shown only with -v. */
void debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
