/*
 * Baseline echo server for wire protocol v1 over TCP: the "metal" row of bench:all.
 *
 * One thread, one epoll loop, edge-triggered, non-blocking sockets. For the echo workload a
 * reply is byte-identical to its request, so echoing the byte stream back unchanged answers
 * every length-prefixed frame correctly without parsing it. Bytes that the kernel does not
 * accept at once are kept per connection and the connection is not read again until they are
 * written (backpressure), so memory stays bounded whatever the client does.
 *
 * With --http it is instead the metal of the http cases: keep-alive HTTP/1.1 answering every GET
 * with the static body of --body-size bytes (http-serve.c parses and picks the response), 400 and
 * close on a malformed request. Pipelined requests are answered in order from one read; the
 * responses of one read are written before the connection is read again.
 *
 * With --workers N, N forked processes serve the port, each with its own SO_REUSEPORT listener and
 * epoll loop (workers.c), so the metal can hold as many connections as prefork; the parent prints
 * the lines below with the children's counters summed.
 *
 * Usage: echo-server [--host 127.0.0.1] [--port 0] [--http [--body-size 1024]] [--workers N]
 * Prints one JSON line {"event":"ready",...} when accepting (same shape as the Node servers'
 * readiness line), and {"event":"closed",...} on SIGTERM/SIGINT, then exits 0. It has no stats
 * port: on SIGUSR1 it prints {"event":"stats",...} with its byte and connection counters, which
 * bench:all turns into frames (fixed-size echo frames) to compute CPU per message; in --http mode
 * the line also counts requests and responses (framesIn, framesOut) and bad requests.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http-serve.h"
#include "server-counters.h"
#include "workers.h"

#define READ_BUFFER_BYTES 65536
#define MAX_EVENTS 512

/* Unsent output of one connection; NULL data when everything was written. */
struct conn {
  int fd;
  char *pending;
  size_t pending_len;
  size_t pending_off;
  /* --http: the start of a head still incomplete (NULL when none), and the connection's state. */
  char *in;
  size_t in_len;
  struct http_conn_state http;
};

static volatile sig_atomic_t stopping = 0;
static volatile sig_atomic_t stats_requested = 0;
static char read_buffer[READ_BUFFER_BYTES];
/* This process's counters: its own, or its slot of the shared mapping under --workers. */
static struct server_counters own_counters;
static struct server_counters *counts = &own_counters;
/* Held open so that at EMFILE one descriptor can be freed to accept-and-close the newcomer,
 * instead of leaving it in the backlog where a level-triggered listener would spin. */
static int spare_fd = -1;
static int http_mode = 0;
/* The responses of one read, written at once; reused across connections. */
static struct out_buffer http_out;

static void on_signal(int sig) {
  if (sig == SIGUSR1) stats_requested = 1;
  else stopping = 1;
}

/* Under --workers, the parent's view of the children's counters (NULL in a single process). */
static struct server_counters *worker_slots = NULL;
static int worker_count = 0;

/* The counters to report: this process's, or the sum of the workers'. */
static struct server_counters report_counters(void) {
  struct server_counters sum;
  if (worker_slots) sum_workers(worker_count, worker_slots, &sum);
  else sum = *counts;
  return sum;
}

static void print_stats(void) {
  struct server_counters k = report_counters();
  printf("{\"event\":\"stats\",\"bytesIn\":%llu,\"bytesOut\":%llu,\"connections\":"
         "{\"current\":%ld,\"peak\":%ld,\"total\":%ld},\"refusedConnections\":%ld",
         http_mode ? k.http.head_bytes : k.bytes_in, http_mode ? k.http.body_bytes : k.bytes_out, k.current, k.peak,
         k.total, k.refused);
  if (http_mode)
    printf(",\"framesIn\":%llu,\"framesOut\":%llu,\"badRequests\":%llu", k.http.requests, k.http.responses,
           k.http.bad_requests);
  printf("}\n");
  fflush(stdout);
}

static void print_stats_if_requested(void) {
  if (!stats_requested) return;
  stats_requested = 0;
  print_stats();
}

static void close_conn(struct conn *c) {
  close(c->fd);
  free(c->pending);
  free(c->in);
  free(c);
  counts->current--;
}

/* Writes pending output; returns 1 when all of it is out, 0 when the socket is full, -1 on error. */
static int flush_pending(struct conn *c) {
  while (c->pending_off < c->pending_len) {
    ssize_t n = write(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off);
    if (n > 0) {
      c->pending_off += (size_t)n;
      counts->bytes_out += (unsigned long long)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return 0;
    } else {
      return -1;
    }
  }
  free(c->pending);
  c->pending = NULL;
  c->pending_len = c->pending_off = 0;
  return 1;
}

/* Writes data[0..len); keeps what the socket does not take as the connection's pending output.
 * Returns 1 when all of it is out, 0 when some is pending, -1 on error. */
static int write_or_keep(struct conn *c, const char *data, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(c->fd, data + off, len - off);
    if (w > 0) {
      off += (size_t)w;
      counts->bytes_out += (unsigned long long)w;
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      c->pending_len = len - off;
      c->pending = malloc(c->pending_len);
      if (!c->pending) return -1;
      memcpy(c->pending, data + off, c->pending_len);
      c->pending_off = 0;
      return 0;
    } else {
      return -1;
    }
  }
  return 1;
}

/* --http: answers the requests in read_buffer[0..n), keeping an incomplete head for the next
 * read. Returns -1 when out of memory. */
static int serve_http(struct conn *c, size_t n) {
  size_t off = 0;
  http_out.len = 0;
  while (off < n && !c->http.closing) {
    if (c->in_len == 0) {
      size_t used = http_serve(read_buffer + off, n - off, &c->http, &http_out, &counts->http);
      if (used == (size_t)-1) return -1;
      off += used;
      if (off == n || c->http.closing) break;
      /* The rest is an incomplete head, shorter than HTTP_MAX_HEAD_BYTES (http_serve refuses longer). */
      if (!c->in && !(c->in = malloc(HTTP_MAX_HEAD_BYTES))) return -1;
      memcpy(c->in, read_buffer + off, n - off);
      c->in_len = n - off;
      break;
    }
    size_t take = n - off < HTTP_MAX_HEAD_BYTES - c->in_len ? n - off : HTTP_MAX_HEAD_BYTES - c->in_len;
    memcpy(c->in + c->in_len, read_buffer + off, take);
    c->in_len += take;
    off += take;
    size_t used = http_serve(c->in, c->in_len, &c->http, &http_out, &counts->http);
    if (used == (size_t)-1) return -1;
    memmove(c->in, c->in + used, c->in_len - used);
    c->in_len -= used;
  }
  if (c->in_len == 0 && c->in) {
    free(c->in); /* an idle connection keeps no buffer */
    c->in = NULL;
  }
  return http_out.len ? write_or_keep(c, http_out.data, http_out.len) : 1;
}

/* Serves everything readable until the socket is drained (edge-triggered) or full: echoes it,
 * or answers its HTTP requests. Returns -1 when the connection must be closed. */
static int service(struct conn *c) {
  for (;;) {
    if (c->pending) {
      int r = flush_pending(c);
      if (r <= 0) return r; /* wait for EPOLLOUT, or error */
    }
    if (c->http.closing) return -1; /* its last response is out */
    ssize_t n = read(c->fd, read_buffer, sizeof read_buffer);
    if (n == 0) return -1;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return -1;
    }
    counts->bytes_in += (unsigned long long)n;
    int r = http_mode ? serve_http(c, (size_t)n) : write_or_keep(c, read_buffer, (size_t)n);
    if (r <= 0) return r;
    if (c->http.closing) return -1;
    /* A short read emptied the receive queue: the next arrival raises a new edge, so the
     * read that would only return EAGAIN is skipped (one syscall less per message). */
    if ((size_t)n < sizeof read_buffer) return 0;
  }
}

static void accept_all(int listen_fd, int epfd) {
  for (;;) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
        /* accept4 says EMFILE before it looks at the backlog, so an empty backlog looks the same:
         * only the victim's accept tells. Without this check the loop never returned to epoll
         * (closing no connection, answering no signal) once the table was full. */
        close(spare_fd);
        int victim = accept(listen_fd, NULL, NULL);
        if (victim >= 0) {
          close(victim);
          counts->refused++;
        }
        spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (victim < 0) return;
        continue;
      }
      return; /* EAGAIN: backlog empty */
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
      close(fd);
      counts->refused++;
      continue;
    }
    c->fd = fd;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
      close(fd);
      free(c);
      counts->refused++;
      continue;
    }
    counts->current++;
    counts->total++;
    if (counts->current > counts->peak) counts->peak = counts->current;
    /* Data may already be waiting: with edge triggering no event would announce it. */
    if (service(c) < 0) close_conn(c);
  }
}

static int parse_args(int argc, char **argv, const char **host, int *port, long *body_size) {
  for (int i = 1; i < argc; i++) {
    char *end = NULL;
    if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
      *host = argv[++i];
    } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      *port = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--http") == 0) {
      http_mode = 1;
    } else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
      worker_count = (int)strtol(argv[++i], &end, 10);
      if (*end != '\0' || worker_count < 1 || worker_count > MAX_WORKERS) {
        fprintf(stderr, "C1M_BAD_FLAG_VALUE: --workers %s: must be processes from 1 to %d\n", argv[i], MAX_WORKERS);
        return -1;
      }
    } else if (strcmp(argv[i], "--body-size") == 0 && i + 1 < argc) {
      *body_size = strtol(argv[++i], &end, 10);
      if (*end != '\0' || *body_size < 0 || *body_size > 64L * 1024 * 1024) {
        fprintf(stderr, "C1M_BAD_FLAG_VALUE: --body-size %s: must be bytes from 0 to 67108864\n", argv[i]);
        return -1;
      }
    } else {
      fprintf(stderr, "C1M_BAD_FLAG: unknown or incomplete flag %s; valid: --host ADDR --port N --http "
              "--body-size BYTES --workers N\n", argv[i]);
      return -1;
    }
  }
  if (*body_size >= 0 && !http_mode) {
    fprintf(stderr, "C1M_BAD_FLAG: --body-size is only valid with --http\n");
    return -1;
  }
  return 0;
}

/* Serves `listen_fd` until SIGTERM/SIGINT: one epoll loop, counting into `into`. */
static int serve(int listen_fd, int ready_fd, struct server_counters *into) {
  counts = into;
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
  if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &lev) < 0) {
    perror("epoll");
    return 1;
  }
  if (ready_fd >= 0) {
    char byte = 1;
    if (write(ready_fd, &byte, 1) != 1) return 1;
    close(ready_fd);
  }
  struct epoll_event events[MAX_EVENTS];
  while (!stopping) {
    print_stats_if_requested();
    int n = epoll_wait(epfd, events, MAX_EVENTS, 1000);
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (c == NULL) {
        accept_all(listen_fd, epfd);
        continue;
      }
      if (events[i].events & (EPOLLERR | EPOLLHUP)) {
        close_conn(c);
        continue;
      }
      if (service(c) < 0 || ((events[i].events & EPOLLRDHUP) && !c->pending)) close_conn(c);
    }
  }
  return 0;
}

static void on_child(int sig) {
  (void)sig; /* only wakes the parent's sigsuspend */
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0;
  long body_size = -1;
  if (parse_args(argc, argv, &host, &port, &body_size) < 0) return 2;
  if (http_mode && http_init(body_size < 0 ? 1024 : (size_t)body_size) < 0) {
    fprintf(stderr, "out of memory for the http responses\n");
    return 1;
  }

  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fprintf(stderr, "--host must be an IPv4 address, got %s\n", host);
    return 2;
  }
  int listen_fd = -1;
  if (worker_count > 0) {
    struct sigaction child = {0};
    child.sa_handler = on_child;
    sigaction(SIGCHLD, &child, NULL);
    worker_slots = start_workers(worker_count, &addr, serve);
    if (!worker_slots) return 1;
  } else {
    listen_fd = open_listener(&addr, 0);
    socklen_t len = sizeof addr;
    if (listen_fd < 0 || getsockname(listen_fd, (struct sockaddr *)&addr, &len) < 0) {
      perror("bind/listen");
      return 1;
    }
  }

  /* Descriptors kept for stdio, the listener, epoll and the spare, in each serving process. */
  long per_process = (long)rl.rlim_cur - 6;
  int processes = worker_count > 0 ? worker_count + 1 : 1;
  printf("{\"event\":\"ready\",\"architecture\":\"baseline-c\",\"transport\":\"%s\",\"workload\":\"%s\","
         "\"port\":%d,\"statsPort\":null,\"pid\":%d,"
         "\"fdLimit\":%ld,\"maxConnections\":%ld,\"processes\":%d,\"threads\":1}\n",
         http_mode ? "http" : "tcp", http_mode ? "static" : "echo", ntohs(addr.sin_port), (int)getpid(),
         (long)rl.rlim_cur, per_process * (worker_count > 0 ? worker_count : 1), processes);
  fflush(stdout);

  int code = 0;
  if (worker_count > 0) {
    if (supervise_workers(&stopping, print_stats_if_requested) < 0 || stop_workers() < 0) code = 1;
  } else {
    code = serve(listen_fd, -1, &own_counters);
  }
  struct server_counters k = report_counters();
  printf("{\"event\":\"closed\",\"connectionsOpen\":%ld,\"connectionsTotal\":%ld,"
         "\"refusedConnections\":%ld,\"bytesIn\":%llu,\"bytesOut\":%llu}\n",
         k.current, k.total, k.refused, k.bytes_in, k.bytes_out);
  fflush(stdout);
  return code;
}
