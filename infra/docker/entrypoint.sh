#!/bin/sh
# A pod has no ulimit field: raise RLIMIT_NOFILE's soft limit to the hard one the container
# runtime gave (node cannot call setrlimit), then run the command. The driver sizes its shards
# from the soft limit, a server its connection ceiling.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || echo "c1m-entrypoint: could not raise the open-file limit above $(ulimit -n)" >&2
exec "$@"
