/* argp options for linger. */
#include "opts.h"

#include <argp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *argp_program_version = "linger 0.1.0";
const char *argp_program_bug_address = NULL;

static const char doc[] =
    "linger -- find the goroutine leaks of a running Go program.\n"
    "\n"
    "Attaches uprobes to the Go runtime of process PID (no restart, no code change), "
    "groups goroutines by the `go` statement that created them and flags the parked "
    "ones that outlive their siblings by more than k standard deviations.\n"
    "\n"
    "USAGE: linger -p PID [--duration D] [--json]\n"
    "       linger --all [--listen ADDR] [--json] [--exe GLOB]...\n"
    "\n"
    "EXAMPLES:\n"
    "  sudo linger -p $(pidof server)              # live table, q to quit\n"
    "  sudo linger -p 4242 --duration 30s --json   # one JSON line per second\n"
    "  sudo linger -p 4242 -d 1m -k 4              # stricter threshold\n"
    "  sudo linger --all                           # agent: 127.0.0.1:9464/metrics\n"
    "  sudo linger --all --json --exe '/srv/*'     # agent, JSON log, some programs\n"
    "\n"
    "EXIT STATUS: 0 no site is `leak` or `growing` in the final report, 1 some "
    "is, 2 an error. The agent (--all) exits 0 when stopped, 2 on an error.\v"
    "Needs root (or CAP_SYS_PTRACE and CAP_BPF with CAP_PERFMON, or CAP_SYS_ADMIN where the "
    "kernel wants it for uprobes), a kernel with BTF and uprobes, and a Go 1.17+ amd64 "
    "target.";

enum {
	OPT_MIN_SAMPLES = 0x100,
	OPT_SIGMA_FLOOR,
	OPT_MIN_RATIO,
	OPT_DEBOUNCE,
	OPT_GROWTH_WINDOW,
	OPT_MIN_GROWTH,
	OPT_MAX_GOROUTINES,
	OPT_MIN_SETTLED,
	OPT_IO_WAIT_SUSPECTS,
	OPT_RINGBUF_SIZE,
	OPT_MIN_GC_CYCLES,
	OPT_GC_WAIT,
	OPT_GROWTH_WARN,
	OPT_GROWTH_CRITICAL,
	OPT_ALL,
	OPT_LISTEN,
	OPT_MAX_PROCS,
	OPT_EXE,
	OPT_ATTACH_DELAY,
	OPT_RECORD,
	OPT_PARK_PROBE,
	OPT_PROBE_BUDGET,
	OPT_PERF_UPROBES,
};

static const struct argp_option options[] = {
    {"pid", 'p', "PID", 0, "Process to attach to (required, unless --all)", 0},
    {"duration", 'd', "D", 0, "Stop after D (e.g. 15s, 2m); default: run until q or Ctrl-C", 0},
    {"interval", 'i', "D", 0, "Refresh every D (default 1s)", 0},
    {"json", 'j', NULL, 0, "One JSON object per refresh, newline-delimited, instead of the table",
     0},
    {"verbose", 'v', NULL, 0, "Say what linger does, and show libbpf's messages", 0},
    {"ringbuf-size", OPT_RINGBUF_SIZE, "SIZE", 0,
     "Ring buffer from the probes to linger: a power of two, 4K to 1G (default 8M); "
     "raise it when reports show drops",
     0},
    {"park-probe", OPT_PARK_PROBE, NULL, 0,
     "Probe every park (the most frequent event; costs a blocking-heavy target dearly); "
     "default: read a goroutine's parked state from its g when a report needs it",
     0},
    {"probe-budget", OPT_PROBE_BUDGET, "PCT", 0,
     "Share of one core the spawn and exit probes may cost the target (default 0.5); past "
     "it they run in duty cycles, on for 100ms slices; 0 keeps them on all the time (-p only)",
     0},
    {"perf-uprobes", OPT_PERF_UPROBES, NULL, 0,
     "Attach each probe as a perf-event uprobe, as on kernels without multi-uprobe links "
     "(before 6.6), even where the kernel has them; slower to take off for the duty cycle",
     0},
    {"record", OPT_RECORD, "FILE", 0,
     "Also write every probe record to FILE, to replay offline (the ingest benchmark); "
     "default: none (-p only)",
     0},
    {NULL, 0, NULL, 0, "Node agent:", 1},
    {"all", OPT_ALL, NULL, 0,
     "Follow every Go program on the node (instead of -p): those running now and those "
     "started later; export Prometheus metrics, and with --json log new suspect sites and "
     "verdict changes",
     1},
    {"listen", OPT_LISTEN, "ADDR", 0,
     "Serve Prometheus metrics at http://ADDR/metrics (default 127.0.0.1:9464; \"none\" "
     "serves nothing)",
     1},
    {"max-procs", OPT_MAX_PROCS, "N", 0,
     "Processes followed at once; more are counted as attach failures (default 256)", 1},
    {"exe", OPT_EXE, "GLOB", 0,
     "Follow only programs whose executable path matches GLOB (fnmatch; repeatable; "
     "default: every Go program)",
     1},
    {"attach-delay", OPT_ATTACH_DELAY, "D", 0,
     "Attach to a process started after linger once it has run D (default 1s): short-lived "
     "tools are skipped",
     1},
    {NULL, 0, NULL, 0, "Detection:", 2},
    {"sigmas", 'k', "K", 0, "Suspect when older than mean + K sigma (default 3)", 2},
    {"min-samples", OPT_MIN_SAMPLES, "N", 0, "Exits a site needs before it is judged (default 5)",
     2},
    {"sigma-floor", OPT_SIGMA_FLOOR, "D", 0, "Smallest sigma used (default 1ms)", 2},
    {"min-ratio", OPT_MIN_RATIO, "R", 0,
     "Share of a site's live goroutines that must be suspects (default 0.3)", 2},
    {"debounce", OPT_DEBOUNCE, "N", 0, "Refreshes a leak must hold before shown (default 2)", 2},
    {"min-gc-cycles", OPT_MIN_GC_CYCLES, "N", 0,
     "Garbage collections of the target a leak must hold across (default 2)", 2},
    {"gc-wait", OPT_GC_WAIT, "D", 0,
     "Or how long it must hold when the target collects less often (default 3s)", 2},
    {"min-settled", OPT_MIN_SETTLED, "N", 0,
     "Suspects past the threshold for a whole refresh a leak needs (default 3)", 2},
    {"io-wait-suspects", OPT_IO_WAIT_SUSPECTS, NULL, 0,
     "Let goroutines parked in network I/O (\"IO wait\") be suspects; by default they are "
     "not: idle keep-alive connections wait there for minutes",
     2},
    {"growth-window", OPT_GROWTH_WINDOW, "N", 0,
     "Refreshes over which a site with no exits must keep growing (default 10)", 2},
    {"min-growth", OPT_MIN_GROWTH, "N", 0, "Goroutines it must grow by (default 5)", 2},
    {"growth-warn", OPT_GROWTH_WARN, "R", 0,
     "Growth alarm: warning at R new live goroutines a second (default 3)", 2},
    {"growth-critical", OPT_GROWTH_CRITICAL, "R", 0,
     "Growth alarm: critical above R a second (default 5)", 2},
    {"max-goroutines", OPT_MAX_GOROUTINES, "N", 0,
     "Live goroutines tracked at most per process; more are counted as evictions (default "
     "4M; 256K with --all)",
     2},
    {0},
};

static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= min && v <= max))
		return -EINVAL;
	*out = v;
	return 0;
}

/* A byte count with an optional binary suffix K, M or G: "16K", "8M". */
static int parse_size(const char *s, uint64_t *out)
{
	uint64_t v, unit = 1;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		unit = 1ULL << 10;
	else if (*end == 'M' || *end == 'm')
		unit = 1ULL << 20;
	else if (*end == 'G' || *end == 'g')
		unit = 1ULL << 30;
	if (unit > 1)
		end++;
	if (*end || v > UINT64_MAX / unit)
		return -EINVAL;
	*out = v * unit;
	return 0;
}

int opts__parse_listen(const char *s, char *host, size_t host_size, uint16_t *port)
{
	unsigned char addr[sizeof(struct in6_addr)];
	const char *colon, *h = s;
	size_t hlen;
	unsigned long v;

	if (!s || !(colon = strrchr(s, ':')))
		return -EINVAL;
	hlen = (size_t)(colon - s);
	if (*s == '[') { /* [v6]:port */
		if (hlen < 2 || s[hlen - 1] != ']')
			return -EINVAL;
		h = s + 1;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= host_size || parse_ulong(colon + 1, 1, 65535, &v))
		return -EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (inet_pton(h == s ? AF_INET : AF_INET6, host, addr) != 1)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int opts__parse_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *suffix;
		uint64_t ns;
	} units[] = {
	    {"ns", 1},
	    {"us", 1000ULL},
	    {"µs", 1000ULL},
	    {"ms", 1000000ULL},
	    {"s", 1000000000ULL},
	    {"m", 60000000000ULL},
	    {"h", 3600000000000ULL},
	};
	uint64_t total = 0;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	if (strspn(s, "0123456789") == strlen(s)) { /* a bare number is seconds */
		unsigned long v;

		if (parse_ulong(s, 1, UINT64_MAX / 1000000000ULL, &v))
			return -EINVAL;
		*ns = v * 1000000000ULL;
		return 0;
	}
	while (*p) {
		unsigned long long v;
		uint64_t unit = 0;
		size_t best = 0;
		char *end;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno)
			return -EINVAL;
		p = end;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i].suffix);

			/* longest match, so "ms" wins over "m" */
			if (n > best && !strncmp(p, units[i].suffix, n)) {
				best = n;
				unit = units[i].ns;
			}
		}
		if (!unit)
			return -EINVAL;
		p += best;
		if (v > UINT64_MAX / unit || total > UINT64_MAX - v * unit)
			return -EINVAL;
		total += v * unit;
	}
	if (!total)
		return -EINVAL;
	*ns = total;
	return 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	unsigned long v;
	uint64_t d = 0;

	switch (key) {
	case 'p':
		if (parse_ulong(arg, 1, INT_MAX, &v))
			argp_error(state, "invalid PID '%s'", arg);
		o->pid = (pid_t)v;
		break;
	case 'd':
		if (opts__parse_duration(arg, &o->duration_ns))
			argp_error(state, "invalid duration '%s' (e.g. 15s, 500ms, 2m)", arg);
		break;
	case 'i':
		if (opts__parse_duration(arg, &d) || d < 10000000ULL)
			argp_error(state, "invalid interval '%s' (at least 10ms)", arg);
		o->interval_ns = d;
		break;
	case 'j':
		o->json = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	case 'k':
		if (parse_double(arg, 0.5, 100, &o->detector.k))
			argp_error(state, "invalid K '%s' (0.5 to 100)", arg);
		break;
	case OPT_MIN_SAMPLES:
		if (parse_ulong(arg, 2, 1000000, &v))
			argp_error(state, "invalid --min-samples '%s' (2 or more)", arg);
		o->detector.min_samples = (uint32_t)v;
		break;
	case OPT_SIGMA_FLOOR:
		if (opts__parse_duration(arg, &o->detector.sigma_floor_ns))
			argp_error(state, "invalid --sigma-floor '%s'", arg);
		break;
	case OPT_MIN_RATIO:
		if (parse_double(arg, 0, 1, &o->detector.min_suspect_ratio))
			argp_error(state, "invalid --min-ratio '%s' (0 to 1)", arg);
		break;
	case OPT_DEBOUNCE:
		if (parse_ulong(arg, 1, 1000, &v))
			argp_error(state, "invalid --debounce '%s' (1 or more)", arg);
		o->detector.debounce = (uint32_t)v;
		break;
	case OPT_GROWTH_WINDOW:
		if (parse_ulong(arg, 2, DETECTOR_MAX_WINDOW - 1, &v))
			argp_error(state, "invalid --growth-window '%s' (2 to %d)", arg,
				   DETECTOR_MAX_WINDOW - 1);
		o->detector.growth_window = (uint32_t)v;
		break;
	case OPT_MIN_GC_CYCLES:
		if (parse_ulong(arg, 0, 1000, &v))
			argp_error(state, "invalid --min-gc-cycles '%s' (0 to 1000)", arg);
		o->detector.min_gc_cycles = (uint32_t)v;
		break;
	case OPT_GC_WAIT:
		if (opts__parse_duration(arg, &o->detector.gc_wait_ns))
			argp_error(state, "invalid --gc-wait '%s' (e.g. 3s)", arg);
		break;
	case OPT_GROWTH_WARN:
		if (parse_double(arg, 0.01, 1e9, &o->detector.growth_warn_per_s))
			argp_error(state, "invalid --growth-warn '%s' (a rate above 0)", arg);
		break;
	case OPT_GROWTH_CRITICAL:
		if (parse_double(arg, 0.01, 1e9, &o->detector.growth_critical_per_s))
			argp_error(state, "invalid --growth-critical '%s' (a rate above 0)", arg);
		break;
	case OPT_MIN_SETTLED:
		if (parse_ulong(arg, 1, 1000000, &v))
			argp_error(state, "invalid --min-settled '%s' (1 or more)", arg);
		o->detector.min_settled = (uint32_t)v;
		break;
	case OPT_IO_WAIT_SUSPECTS:
		o->io_wait_suspects = true;
		break;
	case OPT_MIN_GROWTH:
		if (parse_ulong(arg, 1, 1000000, &v))
			argp_error(state, "invalid --min-growth '%s'", arg);
		o->detector.min_growth = (uint32_t)v;
		break;
	case OPT_MAX_GOROUTINES:
		if (parse_ulong(arg, 1024, 1UL << 30, &v))
			argp_error(state, "invalid --max-goroutines '%s' (1024 or more)", arg);
		o->max_goroutines = (uint32_t)v;
		o->max_goroutines_set = true;
		break;
	case OPT_RINGBUF_SIZE:
		/* BPF ring buffers are a power of two pages. */
		if (parse_size(arg, &d) || d < 4096 || d > (1ULL << 30) || (d & (d - 1)))
			argp_error(state, "invalid --ringbuf-size '%s' (a power of two, 4K to 1G)",
				   arg);
		o->ringbuf_bytes = (uint32_t)d;
		break;
	case OPT_RECORD:
		o->record_path = arg;
		break;
	case OPT_PARK_PROBE:
		o->park_probe = true;
		break;
	case OPT_PERF_UPROBES:
		o->perf_uprobes = true;
		break;
	case OPT_PROBE_BUDGET:
		if (parse_double(arg, 0, 100, &o->duty.budget))
			argp_error(state, "invalid --probe-budget '%s' (0 to 100)", arg);
		o->duty.budget /= 100.0;
		break;
	case OPT_ALL:
		o->all = true;
		break;
	case OPT_LISTEN:
		o->agent_only = "--listen";
		if (!strcmp(arg, "none"))
			o->listen_host[0] = '\0';
		else if (opts__parse_listen(arg, o->listen_host, sizeof(o->listen_host),
					    &o->listen_port))
			argp_error(
			    state,
			    "invalid --listen '%s' (HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464)",
			    arg);
		break;
	case OPT_MAX_PROCS:
		o->agent_only = "--max-procs";
		if (parse_ulong(arg, 1, 65536, &v))
			argp_error(state, "invalid --max-procs '%s' (1 to 65536)", arg);
		o->max_procs = (uint32_t)v;
		break;
	case OPT_EXE:
		o->agent_only = "--exe";
		if (o->nexe == OPTS_MAX_EXE)
			argp_error(state, "too many --exe (at most %d)", OPTS_MAX_EXE);
		o->exe[o->nexe++] = arg;
		break;
	case OPT_ATTACH_DELAY:
		o->agent_only = "--attach-delay";
		if (!strcmp(arg, "0"))
			o->attach_delay_ns = 0;
		else if (opts__parse_duration(arg, &o->attach_delay_ns))
			argp_error(state, "invalid --attach-delay '%s' (e.g. 0, 500ms, 2s)", arg);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (o->all && o->pid)
			argp_error(state, "-p and --all exclude each other");
		if (!o->pid && !o->all)
			argp_error(state, "-p PID or --all is required");
		if (o->detector.growth_critical_per_s < o->detector.growth_warn_per_s)
			argp_error(state, "--growth-critical is below --growth-warn");
		if (o->agent_only && !o->all)
			argp_error(state, "%s needs --all", o->agent_only);
		/* Per process: the agent's memory is this times --max-procs. */
		if (o->all && !o->max_goroutines_set)
			o->max_goroutines = 256u << 10;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

void opts__parse(int argc, char **argv, struct opts *o)
{
	static const struct argp argp = {options, parse_opt, NULL, doc, NULL, NULL, NULL};

	memset(o, 0, sizeof(*o));
	o->interval_ns = 1000000000ULL;
	o->max_goroutines = 4u << 20;
	o->max_sites = 65536;
	o->ringbuf_bytes = 8u << 20;
	snprintf(o->listen_host, sizeof(o->listen_host), "127.0.0.1");
	o->listen_port = 9464;
	o->max_procs = 256;
	o->attach_delay_ns = 1000000000ULL;
	detector_opts__defaults(&o->detector);
	duty_opts__defaults(&o->duty);
	/* argp exits with argp_err_exit_status on usage errors. */
	argp_err_exit_status = 2;
	argp_parse(&argp, argc, argv, 0, NULL, o);
}
