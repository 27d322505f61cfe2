#!/bin/sh
# Start the jsii kernel without its relay process (see codat_stripe/_kernel_channel.py).
#
# The jsii Python runtime runs `$JSII_NODE --max-old-space-size=N <dir>/bin/jsii-runtime.js`,
# writing requests to our stdin and reading responses from our stdout. jsii-runtime.js is a
# relay: it starts a second Node process for the kernel and copies every message between
# the two. Here the kernel runs in this process instead: the request pipe moves to fd 3,
# the response pipe to fd 4, and fd 1 joins stderr, so nothing the kernel's JavaScript or
# a process it starts prints can reach the response pipe.
node="${CODAT_STRIPE_KERNEL_NODE:-node}"
runtime="$2"
program="${runtime%/bin/jsii-runtime.js}/lib/program.js"
if [ "$#" -ne 2 ] || [ "$program" = "$runtime/lib/program.js" ] || [ ! -f "$program" ]; then
  exec "$node" "$@" # not the call this script knows: run jsii's own runtime unchanged
fi
exec "$node" "$1" --preserve-symlinks "${0%/*}/direct-kernel.js" "$program" \
  3<&0 4>&1 1>&2 0</dev/null
