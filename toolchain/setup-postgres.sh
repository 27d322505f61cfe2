#!/usr/bin/env bash
# Make PostgreSQL's server binaries (initdb, pg_ctl, postgres) available from Debian's packages.
#
# Idempotent: installs `postgresql` with apt-get only when no server binaries are found, and
# runs `apt-get update` first only when the package is not known to apt yet. Starts nothing:
# the tests run `initdb` into a temporary directory and start a private server on loopback.
# Prints the directory holding the binaries.
set -euo pipefail

find_bindir() {
  local candidate
  # Debian keeps the server binaries in /usr/lib/postgresql/<major>/bin, off PATH; newest first.
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/postgres" ]; then
      echo "$candidate"
      return 0
    fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v postgres >/dev/null; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

if bindir=$(find_bindir); then
  echo "$bindir"
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "setup-postgres: no PostgreSQL server binaries and no apt-get; install PostgreSQL" \
    "(initdb, pg_ctl, postgres) with your package manager" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "setup-postgres: installing PostgreSQL needs root: run 'apt-get install -y postgresql' as root" >&2
    exit 1
  fi
  SUDO=(sudo)
fi

echo "setup-postgres: installing PostgreSQL from Debian's packages" >&2
if ! apt-cache show postgresql >/dev/null 2>&1; then
  "${SUDO[@]}" apt-get update -qq
fi
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2

if ! bindir=$(find_bindir); then
  echo "setup-postgres: postgresql is installed but initdb/pg_ctl/postgres were not found" >&2
  exit 1
fi
echo "$bindir"
