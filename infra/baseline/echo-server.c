/*
 * Baseline echo server for wire protocol v1 over TCP: the "metal" row of bench:all.
 *
 * One thread, one epoll loop, edge-triggered, non-blocking sockets. For the echo workload a
 * reply is byte-identical to its request, so echoing the byte stream back unchanged answers
 * every length-prefixed frame correctly without parsing it. Bytes that the kernel does not
 * accept at once are kept per connection and the connection is not read again until they are
 * written (backpressure), so memory stays bounded whatever the client does.
 *
 * Usage: echo-server [--host 127.0.0.1] [--port 0]
 * Prints one JSON line {"event":"ready",...} when accepting (same shape as the Node servers'
 * readiness line), and {"event":"closed",...} on SIGTERM/SIGINT, then exits 0. It has no stats
 * port: on SIGUSR1 it prints {"event":"stats",...} with its byte and connection counters, which
 * bench:all turns into frames (fixed-size echo frames) to compute CPU per message.
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

#define READ_BUFFER_BYTES 65536
#define MAX_EVENTS 512

/* Unsent output of one connection; NULL data when everything was written. */
struct conn {
  int fd;
  char *pending;
  size_t pending_len;
  size_t pending_off;
};

static volatile sig_atomic_t stopping = 0;
static volatile sig_atomic_t stats_requested = 0;
static unsigned long long bytes_in = 0, bytes_out = 0;
static long peak_connections = 0;
static char read_buffer[READ_BUFFER_BYTES];
static long current_connections = 0;
static long total_connections = 0;
static long refused_connections = 0;
/* Held open so that at EMFILE one descriptor can be freed to accept-and-close the newcomer,
 * instead of leaving it in the backlog where a level-triggered listener would spin. */
static int spare_fd = -1;

static void on_signal(int sig) {
  if (sig == SIGUSR1) stats_requested = 1;
  else stopping = 1;
}

static void print_stats(void) {
  printf("{\"event\":\"stats\",\"bytesIn\":%llu,\"bytesOut\":%llu,\"connections\":"
         "{\"current\":%ld,\"peak\":%ld,\"total\":%ld},\"refusedConnections\":%ld}\n",
         bytes_in, bytes_out, current_connections, peak_connections, total_connections,
         refused_connections);
  fflush(stdout);
}

static void close_conn(struct conn *c) {
  close(c->fd);
  free(c->pending);
  free(c);
  current_connections--;
}

/* Writes pending output; returns 1 when all of it is out, 0 when the socket is full, -1 on error. */
static int flush_pending(struct conn *c) {
  while (c->pending_off < c->pending_len) {
    ssize_t n = write(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off);
    if (n > 0) {
      c->pending_off += (size_t)n;
      bytes_out += (unsigned long long)n;
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

/* Echoes everything readable until the socket is drained (edge-triggered) or full.
 * Returns -1 when the connection must be closed. */
static int service(struct conn *c) {
  for (;;) {
    if (c->pending) {
      int r = flush_pending(c);
      if (r <= 0) return r; /* wait for EPOLLOUT, or error */
    }
    ssize_t n = read(c->fd, read_buffer, sizeof read_buffer);
    if (n == 0) return -1;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return -1;
    }
    bytes_in += (unsigned long long)n;
    size_t off = 0;
    while (off < (size_t)n) {
      ssize_t w = write(c->fd, read_buffer + off, (size_t)n - off);
      if (w > 0) {
        off += (size_t)w;
        bytes_out += (unsigned long long)w;
      } else if (w < 0 && errno == EINTR) {
        continue;
      } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c->pending_len = (size_t)n - off;
        c->pending = malloc(c->pending_len);
        if (!c->pending) return -1;
        memcpy(c->pending, read_buffer + off, c->pending_len);
        c->pending_off = 0;
        return 0;
      } else {
        return -1;
      }
    }
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
        close(spare_fd);
        int victim = accept(listen_fd, NULL, NULL);
        if (victim >= 0) {
          close(victim);
          refused_connections++;
        }
        spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        continue;
      }
      return; /* EAGAIN: backlog empty */
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
      close(fd);
      refused_connections++;
      continue;
    }
    c->fd = fd;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
      close(fd);
      free(c);
      refused_connections++;
      continue;
    }
    current_connections++;
    total_connections++;
    if (current_connections > peak_connections) peak_connections = current_connections;
    /* Data may already be waiting: with edge triggering no event would announce it. */
    if (service(c) < 0) close_conn(c);
  }
}

static int parse_args(int argc, char **argv, const char **host, int *port) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
      *host = argv[++i];
    } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      *port = atoi(argv[++i]);
    } else {
      fprintf(stderr, "unknown or incomplete flag %s; valid: --host ADDR --port N\n", argv[i]);
      return -1;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 0;
  if (parse_args(argc, argv, &host, &port) < 0) return 2;

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

  int listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fprintf(stderr, "--host must be an IPv4 address, got %s\n", host);
    return 2;
  }
  if (bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listen_fd, 65535) < 0) {
    perror("bind/listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd, (struct sockaddr *)&addr, &len);

  int epfd = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &lev);

  /* Descriptors kept for stdio, the listener, epoll and the spare. */
  long max_connections = (long)rl.rlim_cur - 6;
  printf("{\"event\":\"ready\",\"architecture\":\"baseline-c\",\"transport\":\"tcp\",\"workload\":\"echo\","
         "\"port\":%d,\"statsPort\":null,\"pid\":%d,"
         "\"fdLimit\":%ld,\"maxConnections\":%ld,\"processes\":1,\"threads\":1}\n",
         ntohs(addr.sin_port), (int)getpid(), (long)rl.rlim_cur, max_connections);
  fflush(stdout);

  struct epoll_event events[MAX_EVENTS];
  while (!stopping) {
    if (stats_requested) {
      stats_requested = 0;
      print_stats();
    }
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
  printf("{\"event\":\"closed\",\"connectionsOpen\":%ld,\"connectionsTotal\":%ld,"
         "\"refusedConnections\":%ld,\"bytesIn\":%llu,\"bytesOut\":%llu}\n",
         current_connections, total_connections, refused_connections, bytes_in, bytes_out);
  fflush(stdout);
  return 0;
}
