/* /metrics over HTTP with libmicrohttpd. */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct httpd {
	struct MHD_Daemon *d;
	pthread_mutex_t lock; /* guards text, len, ready */
	char *text;
	size_t len;
	bool ready;
};

static enum MHD_Result httpd__reply(struct MHD_Connection *c, unsigned int status, const char *body,
				    size_t len, enum MHD_ResponseMemoryMode mode, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)body, mode);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result httpd__handle(void *cls, struct MHD_Connection *c, const char *url,
				     const char *method, const char *version,
				     const char *upload_data, size_t *upload_size, void **state)
{
	static const char not_found[] = "linger: metrics are at /metrics\n";
	static const char not_ready[] = "linger: first scan not finished\n";
	static const char bad_method[] = "linger: GET or HEAD only\n";
	struct httpd *h = cls;
	enum MHD_Result ret;
	char *copy = NULL;
	size_t len = 0;
	bool ready;

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)state;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return httpd__reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, bad_method,
				    sizeof(bad_method) - 1, MHD_RESPMEM_PERSISTENT, "text/plain");
	if (strcmp(url, "/metrics"))
		return httpd__reply(c, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
				    MHD_RESPMEM_PERSISTENT, "text/plain");
	pthread_mutex_lock(&h->lock);
	ready = h->ready;
	if (ready && (copy = malloc(h->len ? h->len : 1))) {
		memcpy(copy, h->text, h->len);
		len = h->len;
	}
	pthread_mutex_unlock(&h->lock);
	if (!ready)
		return httpd__reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, not_ready,
				    sizeof(not_ready) - 1, MHD_RESPMEM_PERSISTENT, "text/plain");
	if (!copy)
		return MHD_NO;
	/* MHD_RESPMEM_MUST_FREE hands the copy to the response. */
	ret = httpd__reply(c, MHD_HTTP_OK, copy, len, MHD_RESPMEM_MUST_FREE, CONTENT_TYPE);
	return ret;
}

struct httpd *httpd__new(const char *host, uint16_t port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD;
	struct httpd *h;
	int err;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		flags |= MHD_USE_IPv6;
	} else {
		err = -EINVAL;
		goto cleanup;
	}
	h->d = MHD_start_daemon(flags, port, NULL, NULL, httpd__handle, h, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, 32u,
				MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!h->d) {
		/* MHD leaves errno from the failed bind or listen. */
		err = errno ? -errno : -EADDRINUSE;
		goto cleanup;
	}
	return h;
cleanup:
	httpd__free(h);
	errno = -err;
	return NULL;
}

void httpd__free(struct httpd *h)
{
	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d);
	pthread_mutex_destroy(&h->lock);
	free(h->text);
	free(h);
}

int httpd__publish(struct httpd *h, const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1), *old;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	pthread_mutex_lock(&h->lock);
	old = h->text;
	h->text = copy;
	h->len = len;
	h->ready = true;
	pthread_mutex_unlock(&h->lock);
	free(old);
	return 0;
}
