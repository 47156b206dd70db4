/*
 * What one baseline server process counts, for its stats and closed lines. With --workers each
 * child process counts in its own slot of a shared mapping and the parent sums the slots.
 */
#ifndef C1M_SERVER_COUNTERS_H
#define C1M_SERVER_COUNTERS_H

#include "http-serve.h"

struct server_counters {
  unsigned long long bytes_in;
  unsigned long long bytes_out;
  long current;
  long peak;
  long total;
  long refused;
  struct http_counters http;
};

/* Adds every counter of `from` to `into` (a peak sums to the sum of the processes' peaks). */
static inline void add_counters(struct server_counters *into, const struct server_counters *from) {
  into->bytes_in += from->bytes_in;
  into->bytes_out += from->bytes_out;
  into->current += from->current;
  into->peak += from->peak;
  into->total += from->total;
  into->refused += from->refused;
  into->http.requests += from->http.requests;
  into->http.responses += from->http.responses;
  into->http.bad_requests += from->http.bad_requests;
  into->http.head_bytes += from->http.head_bytes;
  into->http.body_bytes += from->http.body_bytes;
}

#endif
