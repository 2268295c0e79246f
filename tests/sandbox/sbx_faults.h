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
};

void sbx_faults_init(struct sbx_faults *f);
void sbx_faults_destroy(struct sbx_faults *f);
/* Replaces whatever was armed. */
void sbx_faults_arm(struct sbx_faults *f, enum sbx_fault_mode mode, int count, int delay_ms);
/* Takes one fault for the request being handled: its mode (NONE when
 * nothing is armed), and for delay the milliseconds in *delay_ms. */
enum sbx_fault_mode sbx_faults_take(struct sbx_faults *f, int *delay_ms);

#endif
