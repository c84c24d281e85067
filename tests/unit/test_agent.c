/* Agent mode's pure parts: the Prometheus exposition against its expected
 * text and the format's rules, container ids from cgroup paths, listen
 * addresses, and which capabilities are named missing.
 * LINGER_UPDATE_GOLDEN=1 rewrites fixtures/metrics.txt: check it by eye. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "caps.h"
#include "cgroup.h"
#include "metrics.h"
#include "opts.h"
#include "report.h"

#include "fixture_report.h"
#include "golden.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void agent_stats(struct metrics_agent *a)
{
	memset(a, 0, sizeof(*a));
	a->attached = 2;
	a->binaries = 1;
	a->max_procs = 256;
	a->events = 1523456;
	a->drops = 3;
	a->exited = 1;
	a->not_go = 97;
	a->failures[AF_UNSUPPORTED] = 2;
	a->failures[AF_LIMIT] = 5;
}

/* Checks the text format's rules: every line a comment or
 * `name{labels} value` / `name value`; a family's HELP and TYPE come
 * before its samples, and a family's samples are contiguous. */
static void check_exposition(const char *text)
{
	char family[128] = "", seen[64][128];
	size_t nseen = 0;
	const char *line = text;

	while (*line) {
		const char *end = strchr(line, '\n');
		char name[128];
		size_t n;

		assert_non_null(end); /* every line ends in a newline */
		if (!strncmp(line, "# TYPE ", 7)) {
			assert_int_equal(sscanf(line + 7, "%127s", family), 1);
			for (size_t i = 0; i < nseen; i++)
				assert_string_not_equal(seen[i], family);
			assert_true(nseen < 64);
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", family);
		} else if (line[0] != '#') {
			const char *sp;

			n = strcspn(line, "{ ");
			assert_true(n > 0 && n < sizeof(name));
			memcpy(name, line, n);
			name[n] = '\0';
			assert_string_equal(name, family);
			/* The value: after the last space, a number. */
			sp = memrchr(line, ' ', (size_t)(end - line));
			assert_non_null(sp);
			assert_true(strspn(sp + 1, "0123456789.e+-") == (size_t)(end - sp - 1));
		}
		line = end + 1;
	}
}

static void test_fixture(void **state)
{
	struct metrics_proc procs[2];
	struct metrics_agent a;
	struct report r;
	struct buf b = {0};

	(void)state;
	fixture__report(&r);
	agent_stats(&a);
	procs[0] = (struct metrics_proc){&r, ID64, "/kubepods/pod1/cri-containerd-" ID64 ".scope"};
	procs[1] = (struct metrics_proc){&r, "", "/system.slice/orders.service"};
	assert_int_equal(metrics__render(procs, 2, &a, &b), 0);
	golden__check(&b, "metrics.txt");
	check_exposition(b.data);
	buf__free(&b);
	report__free(&r);
}

static void test_no_process(void **state)
{
	struct metrics_agent a;
	struct buf b = {0};

	(void)state;
	agent_stats(&a);
	assert_int_equal(metrics__render(NULL, 0, &a, &b), 0);
	check_exposition(b.data);
	assert_non_null(strstr(b.data, "\nlinger_processes_attached 2\n"));
	assert_non_null(strstr(b.data, "\nlinger_attach_failures_total{reason=\"limit\"} 5\n"));
	assert_non_null(strstr(b.data, "\nlinger_attach_failures_total{reason=\"exited\"} 0\n"));
	/* Not Go is not a failure: it has its own counter. */
	assert_null(strstr(b.data, "reason=\"not_go\""));
	assert_null(strstr(b.data, "linger_site_live_goroutines{"));
	buf__free(&b);
}

static void test_escaping(void **state)
{
	struct metrics_proc p;
	struct metrics_agent a;
	struct report r = {0};
	struct report_site site = {0};
	struct buf b = {0};

	(void)state;
	agent_stats(&a);
	r.hdr.pid = 7;
	snprintf(r.hdr.exe, sizeof(r.hdr.exe), "/srv/a\"b\\c\nd");
	site.live = 3;
	snprintf(site.start_func, sizeof(site.start_func), "main.(*T).f");
	r.sites = &site;
	r.nsites = 1;
	p = (struct metrics_proc){&r, "", "/"};
	assert_int_equal(metrics__render(&p, 1, &a, &b), 0);
	assert_non_null(strstr(b.data,
			       "linger_site_live_goroutines{pid=\"7\",exe=\"/srv/a\\\"b\\\\c\\nd\","
			       "container=\"\",start_func=\"main.(*T).f\",go_site=\"\"} 3\n"));
	/* No exits: no mean lifetime series. */
	assert_null(strstr(b.data, "linger_site_mean_lifetime_seconds{"));
	check_exposition(b.data);
	buf__free(&b);
}

/* Two creation stacks of one `go` statement: one series, numbers summed,
 * the mean weighted by exits, the most severe verdict. */
static void test_merged_sites(void **state)
{
	struct report_site sites[3] = {0};
	struct report r = {0};
	struct metrics_agent a;
	struct metrics_proc p;
	struct buf b = {0};

	(void)state;
	agent_stats(&a);
	r.hdr.pid = 9;
	for (int i = 0; i < 3; i++) {
		snprintf(sites[i].start_func, sizeof(sites[i].start_func), "main.worker");
		fixture__frame(&sites[i].go_site, "main.start", "/src/app/main.go", 10);
	}
	fixture__frame(&sites[2].go_site, "main.start", "/src/app/main.go", 11);
	sites[0].live = 4;
	sites[0].suspects = 3;
	sites[0].exited = 1;
	sites[0].mean_ns = 1e9;
	sites[0].verdict = VERDICT_LEAK;
	sites[1].live = 6;
	sites[1].exited = 3;
	sites[1].mean_ns = 3e9;
	sites[1].verdict = VERDICT_OK;
	sites[2].live = 1;
	r.sites = sites;
	r.nsites = 3;
	p = (struct metrics_proc){&r, "", "/"};
	assert_int_equal(metrics__render(&p, 1, &a, &b), 0);
	check_exposition(b.data);
	assert_non_null(
	    strstr(b.data, "linger_site_live_goroutines{pid=\"9\",exe=\"\",container=\"\","
			   "start_func=\"main.worker\",go_site=\"main.start main.go:10\"} 10\n"));
	assert_non_null(
	    strstr(b.data, "linger_site_live_goroutines{pid=\"9\",exe=\"\",container=\"\","
			   "start_func=\"main.worker\",go_site=\"main.start main.go:11\"} 1\n"));
	assert_non_null(strstr(b.data, "go_site=\"main.start main.go:10\"} 2.5\n"));
	assert_non_null(strstr(b.data, "go_site=\"main.start main.go:10\",verdict=\"leak\"} 1\n"));
	assert_non_null(strstr(b.data, "go_site=\"main.start main.go:10\",verdict=\"ok\"} 0\n"));
	buf__free(&b);
}

static void test_cgroup(void **state)
{
	static const struct {
		const char *text, *path, *id;
	} cases[] = {
	    {"0::/system.slice/docker-" ID64 ".scope\n", "/system.slice/docker-" ID64 ".scope",
	     ID64},
	    {"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
	     "cri-containerd-" ID64 ".scope\n",
	     "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
	     "cri-containerd-" ID64 ".scope",
	     ID64},
	    {"12:memory:/docker/" ID64 "\n1:name=systemd:/docker/" ID64 "\n0::/\n", "/", ""},
	    {"4:memory:/docker/" ID64 "\n1:cpu:/docker/" ID64 "\n", "/docker/" ID64, ID64},
	    {"0::/crio-" ID64 ".scope", "/crio-" ID64 ".scope", ID64},
	    {"0::/user.slice/user-1000.slice/session-2.scope\n",
	     "/user.slice/user-1000.slice/session-2.scope", ""},
	    /* 65 hex digits are no container id, nor are upper-case ones. */
	    {"0::/x-" ID64 "0.scope\n", "/x-" ID64 "0.scope", ""},
	    {"0::/x-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\n",
	     "/x-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", ""},
	};
	char path[512], id[80];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cgroup__parse(cases[i].text, path, sizeof(path), id, sizeof(id)),
				 0);
		assert_string_equal(path, cases[i].path);
		assert_string_equal(id, cases[i].id);
	}
	assert_int_equal(cgroup__parse("", path, sizeof(path), id, sizeof(id)), -EINVAL);
	assert_int_equal(cgroup__parse("garbage\n", path, sizeof(path), id, sizeof(id)), -EINVAL);
	/* Truncated into small buffers, never overrun. */
	assert_int_equal(cgroup__parse(cases[0].text, path, 8, id, 8), 0);
	assert_string_equal(path, "/system");
	assert_string_equal(id, "0123456");
}

static void test_listen(void **state)
{
	char host[64];
	uint16_t port = 0;

	(void)state;
	assert_int_equal(opts__parse_listen("127.0.0.1:9464", host, sizeof(host), &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 9464);
	assert_int_equal(opts__parse_listen("[::1]:80", host, sizeof(host), &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 80);
	assert_int_equal(opts__parse_listen("0.0.0.0:65535", host, sizeof(host), &port), 0);
	static const char *const bad[] = {
	    "",		  "9464",	  ":9464",	     "127.0.0.1",
	    "127.0.0.1:", "127.0.0.1:0",  "127.0.0.1:65536", "localhost:9464",
	    "::1:9464",	  "[::1]9464",	  "[::1]:",	     "[]:1",
	    "1.2.3.4:-1", "1.2.3.4:12ab", "[1.2.3.4]:80",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(opts__parse_listen(bad[i], host, sizeof(host), &port), -EINVAL);
	assert_int_equal(opts__parse_listen("127.0.0.1:1", host, 4, &port), -EINVAL);
}

static void test_caps(void **state)
{
	const uint64_t ptrace = 1ULL << CAPS_SYS_PTRACE, admin = 1ULL << CAPS_SYS_ADMIN;
	const uint64_t bpf = 1ULL << CAPS_BPF, perfmon = 1ULL << CAPS_PERFMON;
	char out[160];

	(void)state;
	assert_int_equal(caps__missing(bpf | perfmon | ptrace, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(caps__missing(admin | ptrace, 0, out, sizeof(out)), 0);
	assert_int_equal(caps__missing(admin | ptrace, -1, out, sizeof(out)), 0);
	assert_int_equal(caps__missing(bpf | ptrace, 1, out, sizeof(out)), 1);
	assert_string_equal(out, "CAP_PERFMON");
	assert_int_equal(caps__missing(0, 1, out, sizeof(out)), 3);
	assert_string_equal(out, "CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE");
	assert_int_equal(caps__missing(admin, 1, out, sizeof(out)), 1);
	assert_string_equal(out, "CAP_SYS_PTRACE");
	/* A kernel that wants CAP_SYS_ADMIN for uprobes. */
	assert_int_equal(caps__missing(bpf | perfmon | ptrace, 0, out, sizeof(out)), 1);
	assert_string_equal(out, "CAP_SYS_ADMIN");
	/* Unknown rule, CAP_PERFMON missing: both ways named. */
	assert_int_equal(caps__missing(ptrace, -1, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "CAP_SYS_ADMIN (or CAP_BPF and CAP_PERFMON"));
	assert_int_equal(caps__missing(bpf | perfmon | ptrace, -1, out, sizeof(out)), 0);
	/* A short buffer truncates, the count stays right. */
	assert_int_equal(caps__missing(0, 1, out, 8), 3);
	assert_string_equal(out, "CAP_BPF");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture),  cmocka_unit_test(test_no_process),
	    cmocka_unit_test(test_escaping), cmocka_unit_test(test_merged_sites),
	    cmocka_unit_test(test_cgroup),   cmocka_unit_test(test_listen),
	    cmocka_unit_test(test_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
