/* The /metrics endpoint: libmicrohttpd on its own thread serves the last
 * text the agent published. The agent never blocks on a slow scraper, and
 * a scrape never sees a half-written exposition. */
#ifndef LINGER_HTTPD_H
#define LINGER_HTTPD_H

#include <stddef.h>
#include <stdint.h>

struct httpd;

/* Listens on host (an IPv4 or IPv6 literal) and port. GET or HEAD
 * /metrics answers 503 until the first publish, then the last published
 * text (Prometheus text format 0.0.4); other paths 404, other methods 405.
 * Returns NULL with errno set (EADDRINUSE, EACCES...). */
struct httpd *httpd__new(const char *host, uint16_t port);
/* Stops the server thread and frees everything. Safe on NULL. */
void httpd__free(struct httpd *h);

/* Replaces the served text with a copy of text[0..len). 0 or -ENOMEM
 * (the previous text is served on). */
int httpd__publish(struct httpd *h, const char *text, size_t len);

#endif
