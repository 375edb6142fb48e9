/* GET /events?since=&until=&filters=: the bus (events_bus.c) as a stream of JSON lines,
 * one EventMessage each, as Docker's; the answer ends at ?until= (or never, until the
 * client leaves or the daemon stops). */
#include <errno.h>
#include <stdlib.h>

#include "api.h"
#include "base/cleanup.h"
#include "events_bus.h"
#include "routes.h"

struct events_req {
	long long since_ns, until_ns;
	struct events_filter *filter;
};

static void events_req_free(void *p)
{
	struct events_req *q = p;

	if (!q)
		return;
	events_filter_free(q->filter);
	free(q);
}

static void events_run(int out, void *ctx)
{
	struct events_req *q = ctx;

	events_stream(out, q->since_ns, q->until_ns, q->filter);
}

int h_events(struct api_req *r)
{
	struct events_req *q = calloc(1, sizeof(*q));
	const char *since = api_query(r, "since"), *until = api_query(r, "until");
	struct nr_error err = { 0 };

	if (!q)
		return api_reply_error(r, 500, "out of memory");
	/* moby's client sends both as unix seconds with a fraction; "" is as absent */
	if (since && *since && events_parse_time(since, &q->since_ns) < 0) {
		events_req_free(q);
		return api_reply_error(r, 400, "invalid value for since: %s", since);
	}
	if (until && *until && events_parse_time(until, &q->until_ns) < 0) {
		events_req_free(q);
		return api_reply_error(r, 400, "invalid value for until: %s", until);
	}
	if (events_filter_parse(api_query(r, "filters"), &q->filter, &err) < 0) {
		events_req_free(q);
		return api_reply_nr_error(r, &err);
	}
	return api_reply_stream(r, 200, "application/json", events_run, q, events_req_free);
}
