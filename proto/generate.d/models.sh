# The diego.bbs models (Sources/Models/Generated), public so Store and Services use them.
# Sourced by proto/generate.sh (cwd = proto/).
gen Sources/Models/Generated Public diego/bbs/*.proto
# Their FileDescriptorSet for server reflection, when generate.sh has the `descriptors` function.
if declare -F descriptors >/dev/null; then
  descriptors ../Sources/Models/Generated/ModelDescriptors.swift ModelDescriptors diego/bbs/*.proto
fi
