#include "cmds.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

struct batch {
	struct jra_ctx *ctx;
	const struct jra_batch_ops *ops;
	struct jra_items items;
	struct jra_out out;
	struct jra_tally tally;
	int shown;
	int progress;          /* a progress line on stderr (a terminal, -f input) */
	int progress_shown;
	struct timespec last;  /* when it was last drawn */
};

/* At most five redraws a second: a fast batch must not spend its time drawing. */
#define PROGRESS_INTERVAL_MS 200

static void progress_clear(struct batch *b)
{
	if (b->progress_shown) {
		fputs("\r\033[K", stderr);
		b->progress_shown = 0;
	}
}

static void progress_draw(struct batch *b)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - b->last.tv_sec) * 1000 + (now.tv_nsec - b->last.tv_nsec) / 1000000;
	if (b->progress_shown && ms < PROGRESS_INTERVAL_MS)
		return;
	b->last = now;
	fputs("\rjra: ", stderr);
	fprintf(stderr, _("%lu done, %lu failed"), b->tally.ok + b->tally.failed, b->tally.failed);
	fputs("\033[K", stderr);
	b->progress_shown = 1;
}

/* The next item as a request; a bad item comes back as a failure to report in order. */
static int next_item(void *arg, struct jra_request *req, void **tag, struct jra_error *e)
{
	struct batch *b = arg;
	const char *item;
	char *norm = NULL;
	int r;

	if ((r = jra_items_next(&b->items, &item, e)) <= 0)
		return r;
	if (b->ops->fqdn_items) {
		if (!(norm = jra_fqdn_arg(item, e))) {
			*tag = jra_xstrdup(item);
			return 1;
		}
	} else {
		norm = jra_xstrdup(item);
	}
	*tag = norm;
	if (b->ops->request(b->ops->arg, norm, req, e) < 0)
		req->method = NULL;
	return 1;
}

static void item_done(void *arg, void *tag, struct jra_request *req, int r, json_t *res,
		      const struct jra_error *e)
{
	struct batch *b = arg;
	struct jra_error err;
	const char *item = tag;

	if (r < 0)
		err = *e;
	/* an answer without what the output needs is bad data, not a success */
	else if (b->ops->check && !res && !b->ctx->dry_run)
		r = jra_error(&err, JRA_ERR_DATA, _("the CA's answer is empty"));
	else if (b->ops->check && res)
		r = b->ops->check(res, &err);
	if (r < 0) {
		/* a request's failure names the item; a bad item names itself */
		if (req->method)
			jra_error_prefix(&err, _("cannot %s '%s'"), _(b->ops->what), item);
		progress_clear(b);
		jra_report(&err);
	} else if (res && b->ctx->format == JRA_FORMAT_TABLE) {
		if (!(b->ctx->quiet && b->ops->quiet_ok))
			b->ops->show(b->ops->arg, item, res, b->shown++);
	} else if (res) {
		jra_out_add(&b->out, res);
	}
	jra_tally_add(&b->tally, r);
	if (b->progress)
		progress_draw(b);
	free(req->path);
	json_decref(req->body);
	free(tag);
}

int jra_run_batch(struct jra_ctx *ctx, int argc, char **argv, const struct jra_batch_ops *ops)
{
	struct jra_error e = JRA_ERROR_INIT;
	struct batch b;
	int r;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.ops = ops;
	jra_out_init(&b.out, stdout, ctx->format, ops->cols, ops->ncols, argc > 1 || ctx->file);
	jra_items_init(&b.items, argc, argv, ctx->file);
	/* only while the results go elsewhere: on the terminal they would tear it */
	b.progress = ctx->file && !ctx->quiet && !ctx->dry_run && isatty(STDERR_FILENO) &&
		     !isatty(STDOUT_FILENO);
	r = jra_client_run(ctx->client, ctx->jobs, next_item, item_done, &b, &e);
	progress_clear(&b);
	if (r < 0)
		jra_tally_add(&b.tally, jra_report(&e));
	jra_items_release(&b.items);
	if (jra_out_finish(&b.out) < 0 && !b.tally.failed)
		jra_tally_add(&b.tally, JRA_ERR_SOFTWARE);
	jra_out_release(&b.out);
	return jra_tally_result(&b.tally);
}
