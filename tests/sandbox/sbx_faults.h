#ifndef SBX_FAULTS_H
#define SBX_FAULTS_H

/*
 * Faults injected into the next N registrar-API requests (contract §7),
 * kept in memory only: a restart clears them.
 */

#include <pthread.h>

enum sbx_fault_mode {
	SBX_FAULT_NONE,
	SBX_FAULT_503,
	SBX_FAULT_DROP_BEFORE,
	SBX_FAULT_DROP_AFTER,
	SBX_FAULT_DELAY,
};

struct sbx_faults {
	pthread_mutex_t mu;
	enum sbx_fault_mode mode;
	int count;
	int delay_ms;
	char method[8];     /* only requests with this method; "" for any */
};

void sbx_faults_init(struct sbx_faults *f);
void sbx_faults_destroy(struct sbx_faults *f);
/* Replaces whatever was armed; method NULL: requests of any method. */
void sbx_faults_arm(struct sbx_faults *f, enum sbx_fault_mode mode, int count, int delay_ms,
		    const char *method);
/* Takes one fault for a request with this method: its mode (NONE when
 * nothing is armed for it), and for delay the milliseconds in *delay_ms. */
enum sbx_fault_mode sbx_faults_take(struct sbx_faults *f, const char *method, int *delay_ms);

#endif
