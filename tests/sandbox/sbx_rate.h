#ifndef SBX_RATE_H
#define SBX_RATE_H

/*
 * The --rate-limit: at most N registrar-API requests per registrar in
 * any 60 seconds of real time (a sliding window), in memory.
 */

#include <pthread.h>
#include <time.h>

struct sbx_rate_entry;

struct sbx_ratelimit {
	pthread_mutex_t mu;
	int per_minute;                /* 0: no limit */
	struct sbx_rate_entry *head;
};

void sbx_rate_init(struct sbx_ratelimit *rl, int per_minute);
void sbx_rate_destroy(struct sbx_ratelimit *rl);
/* Counts one request of registrar at now: 0 when allowed, else the
 * seconds until one would be (for Retry-After); refused ones don't count. */
int sbx_rate_take(struct sbx_ratelimit *rl, const char *registrar, time_t now);

#endif
