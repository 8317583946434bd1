#!/usr/bin/env bash
# Regenerates the committed swift-protobuf code (and reflection descriptor sets) from proto/.
# Each line: proto files (relative to proto/) -> output folder, visibility.
set -euo pipefail
cd "$(dirname "$0")"
plugin=${PROTOC_GEN_SWIFT:?set PROTOC_GEN_SWIFT to the protoc-gen-swift binary}
plugin=$(cd .. && realpath "$plugin")
gen() { # gen OUTDIR VISIBILITY FILES...
  local outdir=$1 vis=$2; shift 2
  mkdir -p "../$outdir"
  protoc -I . --plugin=protoc-gen-swift="$plugin" --swift_out="../$outdir" \
    --swift_opt=Visibility="$vis" --swift_opt=FileNaming=DropPath "$@"
}
for f in generate.d/*.sh; do [ -f "$f" ] && source "$f"; done
echo "generated"
