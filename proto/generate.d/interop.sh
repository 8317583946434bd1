# The grpc.testing interop messages (grpc/grpc src/proto/grpc/testing), public for the Interop module's users.
gen Sources/Interop/Generated Public grpc/testing/empty.proto grpc/testing/messages.proto grpc/testing/test.proto
descriptors ../Sources/Interop/Generated/InteropDescriptors.swift InteropDescriptors \
  grpc/testing/empty.proto grpc/testing/messages.proto grpc/testing/test.proto
