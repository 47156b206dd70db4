/*
 * The baseline server's --http mode, without I/O: turns the request bytes of one connection into
 * response bytes (packages/protocol/README.md 1.3 and 3.4). The epoll loop in echo-server.c owns
 * the sockets and the buffers; this file only parses heads and picks precomputed responses.
 */
#ifndef C1M_HTTP_SERVE_H
#define C1M_HTTP_SERVE_H

#include <stddef.h>

/* Largest request head (request line, headers, blank line) accepted, as in the protocol. */
#define HTTP_MAX_HEAD_BYTES 8192

/* Per connection: body bytes of a non-GET request still to discard, and whether it is ending. */
struct http_conn_state {
  unsigned long long skip;
  int closing;
};

/* Bytes a call appends responses to; grown as needed (the caller keeps and reuses it). */
struct out_buffer {
  char *data;
  size_t len;
  size_t cap;
};

/* What the server answered, for its stats line. Bytes as the Node servers count them: heads in,
 * bodies out. */
struct http_counters {
  unsigned long long requests;
  unsigned long long responses;
  unsigned long long bad_requests;
  unsigned long long head_bytes;
  unsigned long long body_bytes;
};

/* Precomputes the responses for a static body of `body_bytes` (byte i = i mod 251); -1 on no memory. */
int http_init(size_t body_bytes);

/*
 * Answers the complete requests at the start of in[0..len), appending their responses to `out`,
 * and returns how many bytes it consumed. What is left is an incomplete head, which the caller
 * keeps and passes again with more bytes. A malformed request is answered 400 and a head above
 * HTTP_MAX_HEAD_BYTES 431, both with Connection: close; they and a request with Connection: close
 * set st->closing, after which nothing more is consumed. Returns (size_t)-1 when out cannot grow.
 */
size_t http_serve(const char *in, size_t len, struct http_conn_state *st, struct out_buffer *out,
                  struct http_counters *k);

#endif
