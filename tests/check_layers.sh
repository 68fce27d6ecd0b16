#!/usr/bin/env bash
# Fails when a lower layer includes a higher or sibling one: protocol/ and storage/ know nothing of
# server/ or of each other; protocol/ has no libuv. The linker cannot see header-only leaks, this can.
set -u
root="${1:-$(dirname "$0")/..}"
cd "$root" || exit 2
bad=$(grep -rnE '#include\s+[<"](server/|storage/|uv\.h)' protocol/ ; grep -rnE '#include\s+[<"](server/|protocol/|uv\.h)' storage/)
if [ -n "$bad" ]; then
  echo "layering violation:"; echo "$bad"; exit 1
fi
echo "layers clean: protocol/ and storage/ include nothing from server/ or each other"
