/*
 * --workers N: N child processes serve one port, each with its own listening socket
 * (SO_REUSEPORT, so the kernel spreads connections by hash) and its own epoll loop, as prefork
 * does; the parent only starts them, sums their counters and stops them.
 */
#ifndef C1M_WORKERS_H
#define C1M_WORKERS_H

#include <netinet/in.h>

#include "server-counters.h"

/* Most processes --workers may ask for. */
#define MAX_WORKERS 256

/* Serves on an already listening socket until told to stop; writes one byte to `ready_fd` (when
 * >= 0) once it accepts, and counts into `counters`. Returns the process's exit code. */
typedef int (*serve_fn)(int listen_fd, int ready_fd, struct server_counters *counters);

/* Opens a listening socket on `addr` (SO_REUSEPORT when `reuseport`); -1 with errno on failure. */
int open_listener(const struct sockaddr_in *addr, int reuseport);

/* Starts `n` children serving `addr` (its port filled in when 0), then returns in the parent with
 * the shared counters (n slots) once every child accepts; NULL when a child could not start. */
struct server_counters *start_workers(int n, struct sockaddr_in *addr, serve_fn serve);

/* Sums the children's counters into `sum`. */
void sum_workers(int n, const struct server_counters *slots, struct server_counters *sum);

/* Waits until `*stopping`, printing nothing; returns 0, or -1 as soon as a child exits on its own
 * (it then stops the others). `on_wake` runs after every signal (the stats request). */
int supervise_workers(volatile int *stopping, void (*on_wake)(void));

/* Sends SIGTERM to every child and waits for them; 0 when each exited 0. */
int stop_workers(void);

#endif
