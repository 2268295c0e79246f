#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sbx_rate.h"

#define SBX_RATE_WINDOW 60

struct sbx_rate_entry {
	struct sbx_rate_entry *next;
	char *registrar;
	time_t *ring;   /* the times of the last per_minute requests */
	int pos;
	int n;
};

void sbx_rate_init(struct sbx_ratelimit *rl, int per_minute)
{
	pthread_mutex_init(&rl->mu, NULL);
	rl->per_minute = per_minute;
	rl->head = NULL;
}

void sbx_rate_destroy(struct sbx_ratelimit *rl)
{
	struct sbx_rate_entry *e, *next;

	for (e = rl->head; e; e = next) {
		next = e->next;
		free(e->registrar);
		free(e->ring);
		free(e);
	}
	pthread_mutex_destroy(&rl->mu);
}

int sbx_rate_take(struct sbx_ratelimit *rl, const char *registrar, time_t now)
{
	struct sbx_rate_entry *e;
	int wait = 0;

	if (rl->per_minute <= 0)
		return 0;
	pthread_mutex_lock(&rl->mu);
	for (e = rl->head; e && strcmp(e->registrar, registrar); e = e->next)
		;
	if (!e) {
		e = jra_xcalloc(1, sizeof(*e));
		e->registrar = jra_xstrdup(registrar);
		e->ring = jra_xcalloc(rl->per_minute, sizeof(*e->ring));
		e->next = rl->head;
		rl->head = e;
	}
	/* ring[pos] is the oldest of the last per_minute requests once full */
	if (e->n == rl->per_minute && now - e->ring[e->pos] < SBX_RATE_WINDOW) {
		wait = (int)(SBX_RATE_WINDOW - (now - e->ring[e->pos]));
	} else {
		e->ring[e->pos] = now;
		e->pos = (e->pos + 1) % rl->per_minute;
		if (e->n < rl->per_minute)
			e->n++;
	}
	pthread_mutex_unlock(&rl->mu);
	return wait;
}
