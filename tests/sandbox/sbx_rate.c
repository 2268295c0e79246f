#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sbx_rate.h"


struct sbx_rate_entry {
	struct sbx_rate_entry *next;
	char *registrar;
	time_t *ring;   /* the times of the last limit requests */
	int pos;
	int n;
};

void sbx_rate_init(struct sbx_ratelimit *rl, int limit, int window)
{
	pthread_mutex_init(&rl->mu, NULL);
	rl->limit = limit;
	rl->window = window > 0 ? window : 1;
	rl->head = NULL;
}

int sbx_rate_parse(const char *s, int *limit, int *window)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v < 0 || v > 1000000)
		return -1;
	if (!*end || !strcmp(end, "/s"))
		*window = 1;
	else if (!strcmp(end, "/min"))
		*window = 60;
	else
		return -1;
	*limit = (int)v;
	return 0;
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

	if (rl->limit <= 0)
		return 0;
	pthread_mutex_lock(&rl->mu);
	for (e = rl->head; e && strcmp(e->registrar, registrar); e = e->next)
		;
	if (!e) {
		e = jra_xcalloc(1, sizeof(*e));
		e->registrar = jra_xstrdup(registrar);
		e->ring = jra_xcalloc(rl->limit, sizeof(*e->ring));
		e->next = rl->head;
		rl->head = e;
	}
	/* ring[pos] is the oldest of the last limit requests once full */
	if (e->n == rl->limit && now - e->ring[e->pos] < rl->window) {
		wait = (int)(rl->window - (now - e->ring[e->pos]));
	} else {
		e->ring[e->pos] = now;
		e->pos = (e->pos + 1) % rl->limit;
		if (e->n < rl->limit)
			e->n++;
	}
	pthread_mutex_unlock(&rl->mu);
	return wait;
}
