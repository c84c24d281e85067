/* The duty cycle's policy (duty.h). */
#include "duty.h"

void duty_opts__defaults(struct duty_opts *o)
{
	o->budget = 0.005;
	o->hit_cost_ns = 1200;
	o->slice_ns = 100000000ULL;
	o->min_on = 0.025;
	o->eval_ns = 250000000ULL;
}

double duty__fraction(const struct duty_opts *o, double rate_per_s)
{
	double cost = rate_per_s * (double)o->hit_cost_ns / 1e9; /* cores */
	double f;

	if (o->budget <= 0.0 || cost <= o->budget)
		return 1.0;
	f = o->budget / cost;
	return f < o->min_on ? o->min_on : f;
}

void duty__init(struct duty *d, const struct duty_opts *o, uint64_t now_ns, uint64_t hits)
{
	d->o = *o;
	d->on = true;
	d->cycling = false;
	d->phase_ns = now_ns;
	d->phase_len = 0;
	d->phase_hits = hits;
	d->on_fraction = 1.0;
}

enum duty_action duty__step(struct duty *d, uint64_t now_ns, uint64_t hits)
{
	uint64_t elapsed = now_ns > d->phase_ns ? now_ns - d->phase_ns : 0;
	double rate;

	if (!d->on) {
		if (elapsed < d->phase_len)
			return DUTY_NONE;
		d->on = true;
		d->phase_ns = now_ns;
		d->phase_hits = hits;
		return DUTY_RESUME;
	}
	if (!elapsed)
		return DUTY_NONE;
	rate = (double)(hits > d->phase_hits ? hits - d->phase_hits : 0) * 1e9 / (double)elapsed;
	if (elapsed < (d->cycling ? d->o.slice_ns : d->o.eval_ns)) {
		/* At full time a burst need not wait for the next measure: a
		 * fifth of a slice at twice the budget's rate is evidence
		 * enough, and every millisecond of it costs the target. */
		if (d->cycling || elapsed < d->o.slice_ns / 5 || duty__fraction(&d->o, rate) > 0.5)
			return DUTY_NONE;
	}
	d->on_fraction = duty__fraction(&d->o, rate);
	d->phase_ns = now_ns;
	d->phase_hits = hits;
	if (d->on_fraction >= 1.0) {
		d->cycling = false;
		return DUTY_NONE;
	}
	/* Off for the rest of a period whose on part is one slice. */
	d->cycling = true;
	d->on = false;
	d->phase_len = (uint64_t)((double)d->o.slice_ns * (1.0 - d->on_fraction) / d->on_fraction);
	return DUTY_PAUSE;
}
