/* linger: find the goroutine leaks of a running Go program. */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "log.h"
#include "opts.h"
#include "session.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf explains failures at length; linger says one line itself. */
	(void)level;
	return log_verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct opts o;

	opts__parse(argc, argv, &o);
	log_verbose = o.verbose;
	libbpf_set_print(libbpf_print);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return o.all ? agent__run(&o) : session__run(&o);
}
