/* Reads the target's goroutines from runtime.allgs (gwalk.h). */
#include "gwalk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Go's g status values that matter here (runtime2.go). */
#define G_IDLE	  0
#define G_WAITING 4
#define G_DEAD	  6
#define G_LEAKED  10 /* Go 1.26+, set by the runtime's own leak detector */
#define G_SCAN	  0x1000

/* g pointers read per batch: bounded memory, and the between callback
 * runs this often. */
#define BATCH 4096

int64_t gwalk__run(struct procmem *pm, uint64_t allgs, const struct go_offsets *off, uint64_t max,
		   gwalk_fn fn, gwalk_between_fn between, void *ctx)
{
	const struct {
		uint32_t off, size;
	} fields[] = {{off->g_goid, 8},	   {off->g_atomicstatus, 4}, {off->g_gopc, 8},
		      {off->g_startpc, 8}, {off->g_waitreason, 1},   {off->g_waitsince, 8}};
	uint64_t slice[2], *gs = NULL, n;
	uint32_t lo = UINT32_MAX, hi = 0;
	int64_t live = 0;
	uint8_t *g = NULL;
	int err;

	/* Each g's fields come with one read of the span that holds them
	 * all, not one read per field. */
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i].off < lo)
			lo = fields[i].off;
		if (fields[i].off + fields[i].size > hi)
			hi = fields[i].off + fields[i].size;
	}
	err = procmem__read(pm, allgs, slice, sizeof(slice));
	if (err)
		return err;
	n = slice[1] < max ? slice[1] : max;
	gs = malloc(BATCH * sizeof(*gs));
	g = malloc(hi - lo);
	if (!gs || !g) {
		live = -ENOMEM;
		goto cleanup;
	}
	for (uint64_t base = 0; base < n; base += BATCH) {
		uint64_t m = n - base < BATCH ? n - base : BATCH;

		if (base && between)
			between(ctx);
		if (procmem__read(pm, slice[0] + base * sizeof(*gs), gs, m * sizeof(*gs)))
			break;
		for (uint64_t i = 0; i < m; i++) {
			struct gwalk_g w = {.g_addr = gs[i]};
			uint32_t status = 0;
			uint8_t reason = 0;

			if (procmem__read(pm, gs[i] + lo, g, hi - lo))
				continue;
			memcpy(&w.goid, g + off->g_goid - lo, 8);
			memcpy(&status, g + off->g_atomicstatus - lo, 4);
			memcpy(&w.gopc, g + off->g_gopc - lo, 8);
			memcpy(&w.startpc, g + off->g_startpc - lo, 8);
			memcpy(&reason, g + off->g_waitreason - lo, 1);
			memcpy(&w.waitsince, g + off->g_waitsince - lo, 8);
			status &= ~(uint32_t)G_SCAN;
			if (!w.goid || status == G_DEAD || status == G_IDLE)
				continue;
			w.parked = status == G_WAITING || status == G_LEAKED;
			w.wait_reason = reason;
			live++;
			if (fn(ctx, &w))
				goto cleanup;
		}
	}
cleanup:
	free(g);
	free(gs);
	return live;
}
