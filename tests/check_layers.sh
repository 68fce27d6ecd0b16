#!/usr/bin/env bash
# Fails when a lower layer includes a higher or sibling one: protocol/ and storage/ know nothing of
# server/ or of each other; protocol/ has no libuv; scripting/ (the Lua interpreter) may use
# protocol/ but knows nothing of server/, storage/ or libuv, so that it stays testable without a
# server. The linker cannot see header-only leaks, this can.
set -u
root="${1:-$(dirname "$0")/..}"
cd "$root" || exit 2
bad=$(grep -rnE '#include\s+[<"](server/|storage/|scripting/|uv\.h)' protocol/ ;
      grep -rnE '#include\s+[<"](server/|protocol/|scripting/|uv\.h)' storage/ ;
      [ -d scripting ] && grep -rnE '#include\s+[<"](server/|storage/|uv\.h)' scripting/)
if [ -n "$bad" ]; then
  echo "layering violation:"; echo "$bad"; exit 1
fi
echo "layers clean: protocol/, storage/ and scripting/ include nothing from server/ (nor each other, but scripting/ -> protocol/)"
