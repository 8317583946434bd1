# The standard gRPC protos the RPC layer serves itself: health and server reflection (v1, v1alpha).
# Sourced by proto/generate.sh (cwd = proto/). Path-to-underscore names because both reflection
# versions are called reflection.proto.
mkdir -p ../Sources/RPC/Generated
protoc -I . --plugin=protoc-gen-swift="$plugin" --swift_out=../Sources/RPC/Generated \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  grpc/health/v1/health.proto grpc/reflection/v1/reflection.proto grpc/reflection/v1alpha/reflection.proto
descriptors ../Sources/RPC/Generated/StandardServiceDescriptors.swift StandardServiceDescriptors \
  grpc/health/v1/health.proto grpc/reflection/v1/reflection.proto grpc/reflection/v1alpha/reflection.proto
