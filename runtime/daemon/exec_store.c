/* The exec instances' table (exec_store.h). */
#include "exec_store.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct exec_inst *table[EXEC_MAX];

static long long now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct exec_inst *exec_inst_new(json_t *args)
{
	struct exec_inst *e = calloc(1, sizeof(*e));

	if (!e) {
		json_decref(args);
		return NULL;
	}
	e->args = args;
	e->master = -1;
	e->refs = 1;
	return e;
}

static void inst_free(struct exec_inst *e)
{
	json_decref(e->args);
	free(e);
}

struct exec_inst *exec_inst_ref(struct exec_inst *e)
{
	pthread_mutex_lock(&lock);
	e->refs++;
	pthread_mutex_unlock(&lock);
	return e;
}

void exec_inst_unref(struct exec_inst *e)
{
	bool last;

	if (!e)
		return;
	pthread_mutex_lock(&lock);
	last = --e->refs == 0;
	pthread_mutex_unlock(&lock);
	if (last)
		inst_free(e);
}

int exec_store_add(struct exec_inst *e)
{
	long long now = now_s();
	struct exec_inst *dropped[EXEC_MAX];
	size_t n_dropped = 0;
	int slot = -1;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < EXEC_MAX; i++) {
		struct exec_inst *t = table[i];
		/* Finished long enough ago: Docker too forgets them (its exec cleanup). */
		if (t && t->state == EXEC_EXITED && now - t->ended > EXEC_KEEP_S) {
			table[i] = NULL;
			if (--t->refs == 0)
				dropped[n_dropped++] = t;
			t = NULL;
		}
		if (!t && slot < 0)
			slot = i;
	}
	if (slot >= 0) {
		table[slot] = e;
		e->refs++;
	}
	pthread_mutex_unlock(&lock);
	for (size_t i = 0; i < n_dropped; i++)
		inst_free(dropped[i]);
	return slot < 0 ? -ENOSPC : 0;
}

struct exec_inst *exec_store_get(const char *id)
{
	struct exec_inst *found = NULL;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < EXEC_MAX && !found; i++)
		if (table[i] && strcmp(table[i]->id, id) == 0) {
			found = table[i];
			found->refs++;
		}
	pthread_mutex_unlock(&lock);
	return found;
}

void exec_store_lock(void)
{
	pthread_mutex_lock(&lock);
}

void exec_store_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

bool exec_store_claim(struct exec_inst *e)
{
	bool ok;

	pthread_mutex_lock(&lock);
	ok = e->state == EXEC_CREATED;
	if (ok)
		e->state = EXEC_RUNNING;
	pthread_mutex_unlock(&lock);
	return ok;
}

void exec_store_unclaim(struct exec_inst *e)
{
	pthread_mutex_lock(&lock);
	e->state = EXEC_CREATED;
	e->pid = 0;
	pthread_mutex_unlock(&lock);
}

void exec_store_finish(struct exec_inst *e, int code)
{
	pthread_mutex_lock(&lock);
	e->state = EXEC_EXITED;
	e->exit_code = code;
	e->master = -1;
	e->ended = now_s();
	pthread_mutex_unlock(&lock);
}
