#!/bin/sh
# Start the jsii kernel without its relay process (see codat_stripe/_kernel_channel.py).
#
# The jsii Python runtime runs `$JSII_NODE --max-old-space-size=N <dir>/bin/jsii-runtime.js`,
# writing requests to our stdin and reading responses from our stdout. jsii-runtime.js is a
# relay: it starts a second Node process for the kernel and copies every message between
# the two. Here the kernel runs in this process instead: the request pipe moves to fd 3,
# the response pipe to fd 4, and fd 1 joins stderr, so nothing the kernel's JavaScript or
# a process it starts prints can reach the response pipe.
#
# Anything else runs Node with the arguments unchanged: another call, a runtime without
# its kernel program or with a kernel program that opens its channel otherwise, and
# CODAT_STRIPE_KERNEL_RELAY set (e.g. when this launcher was inherited through JSII_NODE).
node="${CODAT_STRIPE_KERNEL_NODE:-node}"
runtime="$2"
program="${runtime%/bin/jsii-runtime.js}/lib/program.js"
case "${CODAT_STRIPE_KERNEL_RELAY:-0}" in
  0) ;;
  *) exec "$node" "$@" ;;
esac
if [ "$#" -ne 2 ] || [ "$program" = "$runtime/lib/program.js" ] || [ ! -f "$program" ] ||
  ! grep -qF 'readFD:3,writeFD:3' "$program"; then
  exec "$node" "$@"
fi
exec "$node" "$1" --preserve-symlinks "${0%/*}/direct-kernel.js" "$program" \
  3<&0 4>&1 1>&2 0</dev/null
