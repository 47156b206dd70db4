#!/bin/sh
# c1m-load inside the image: the bundled driver under plain node.
exec node /c1m/clients/driver/dist/cli.js "$@"
