/* The report: what one refresh knows, as plain data. The model side
 * (gtable + detector) fills the numbers, the session fills the names
 * (symbolization), and the views (json.c, table.c) only render it. */
#ifndef LINGER_REPORT_H
#define LINGER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum verdict {
	VERDICT_WARMING = 0, /* too few exits for statistics, not growing */
	VERDICT_OK,
	VERDICT_GROWING, /* no exits, live count keeps rising */
	VERDICT_LEAK,	 /* parked goroutines past mean + k*sigma */
};

/* "warming", "ok", "growing", "leak". */
const char *verdict__name(enum verdict v);

struct report_frame {
	char func[160];
	char file[224];
	uint32_t line; /* 0 when unknown */
};

/* Live goroutines by age: < 1ms, 10ms, 100ms, 1s, 10s, 1m, 10m, older. */
#define REPORT_AGE_BUCKETS 8

/* Which bucket of age_hist an age falls in. */
unsigned report__age_bucket(uint64_t age_ns);

/* How fast a live count climbs (detector__growth_alarm). */
enum growth_alarm {
	GROWTH_NONE = 0,
	GROWTH_WARNING,
	GROWTH_CRITICAL,
};

struct report_site {
	uint64_t key;	  /* creation stack id, or a gopc-derived key */
	uint64_t gopc;	  /* the `go` statement */
	uint64_t startpc; /* the goroutine's start function */
	uint64_t live;
	uint64_t exited;
	uint64_t suspects;
	uint64_t settled;	      /* suspects past the threshold at the previous refresh too */
	double mean_ns;		      /* of exited lifetimes; 0 when none */
	double stddev_ns;	      /* sample standard deviation; 0 when < 2 */
	double threshold_ns;	      /* mean + k*max(sigma, floor); 0 when warming */
	uint64_t oldest_ns;	      /* age of the oldest live goroutine */
	uint64_t suspect_stack_bytes; /* goroutine stacks the suspects hold */
	double leak_per_min;	      /* live-count growth over the growth window, >= 0 */
	enum growth_alarm growth_alarm; /* of that growth, per second */
	uint32_t age_hist[REPORT_AGE_BUCKETS];
	bool has_wait_reason;
	uint32_t wait_reason; /* of the oldest suspect, else oldest parked */
	/* A representative parked goroutine (oldest suspect, else oldest
	 * parked), for the session to unwind its blocking stack; 0 if none. */
	uint64_t sample_goid;
	uint64_t sample_g_addr;
	enum verdict verdict;
	double spawn_rate; /* per second over the last period; 0 for the first */
	double exit_rate;

	/* Filled by the session from symbols; empty strings when unknown. */
	char start_func[160];
	struct report_frame go_site;
	struct report_frame blocked_at;
	char wait_reason_name[48];
};

struct report_header {
	int pid;
	char exe[256];
	char go_version[32];
	uint64_t elapsed_ns; /* since attach */
	uint64_t live;	     /* tracked live goroutines, all sites */
	double spawn_rate;   /* per second over the last period */
	double exit_rate;
	uint64_t events;	      /* records ingested since attach */
	uint64_t drops;		      /* records the ring buffer could not take */
	uint64_t evictions;	      /* goroutines or sites the tables had no room for */
	uint64_t suspects;	      /* sum over sites */
	uint64_t suspect_stack_bytes; /* sum over sites */
	uint64_t gc_cycles;	      /* the target's GCs since attach; 0 when not counted */
	double growth_per_s;	      /* of the live count over the growth window */
	enum growth_alarm growth_alarm;
	bool target_exited;
};

/* What a person sees of one site on asking for detail: both stacks in
 * full. Filled on demand, for one site at a time. */
#define REPORT_MAX_FRAMES 32

struct site_detail {
	struct report_frame created[REPORT_MAX_FRAMES]; /* innermost first */
	size_t ncreated;
	struct report_frame blocked[REPORT_MAX_FRAMES]; /* of the sample goroutine */
	size_t nblocked;
};

struct report {
	struct report_header hdr;
	struct report_site *sites; /* suspects first, see report__sort */
	size_t nsites;
	bool final; /* the last report of the run */
};

/* Orders sites for display: verdict leak, then growing, then by suspects,
 * then live, descending; ties by key so the order is stable. */
void report__sort(struct report *r);

/* True when any site's verdict is leak or growing: exit status 1. */
bool report__has_findings(const struct report *r);

/* Frees r->sites and zeroes the report. Safe on a zeroed report. */
void report__free(struct report *r);

#endif
