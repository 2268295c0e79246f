#ifndef SBX_RATE_H
#define SBX_RATE_H

/*
 * The --rate-limit: at most N registrar-API requests per registrar in
 * any window of real time (a sliding window: 1 s by default, 60 s for
 * "N/min"), in memory.
 */

#include <pthread.h>
#include <time.h>

struct sbx_rate_entry;

struct sbx_ratelimit {
	pthread_mutex_t mu;
	int limit;                     /* requests per window; 0: no limit */
	int window;                    /* seconds */
	struct sbx_rate_entry *head;
};

void sbx_rate_init(struct sbx_ratelimit *rl, int limit, int window);
/* Parses "N", "N/s" or "N/min" (N from 0 to 1000000); 0, or -1 when malformed. */
int sbx_rate_parse(const char *s, int *limit, int *window);
void sbx_rate_destroy(struct sbx_ratelimit *rl);
/* Counts one request of registrar at now: 0 when allowed, else the
 * seconds until one would be (for Retry-After); refused ones don't count. */
int sbx_rate_take(struct sbx_ratelimit *rl, const char *registrar, time_t now);

#endif
