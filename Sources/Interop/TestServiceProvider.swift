import Foundation
import RPC

/// `grpc.testing.TestService` as gRPC's interop test descriptions expect a server to behave.
///
/// Exists so `rpc-interop-server` (and in-process tests) can be driven by any gRPC client's
/// interop cases: payloads of the requested sizes, the requested status echoed as an error,
/// `x-grpc-test-echo-initial` / `x-grpc-test-echo-trailing-bin` echoed back, intervals honoured.
public struct TestServiceProvider: RegistrableService {
    /// The request metadata key whose value is echoed in the response headers.
    public static let echoInitialKey = "x-grpc-test-echo-initial"
    /// The request metadata key whose (binary) value is echoed in the trailers.
    public static let echoTrailingKey = "x-grpc-test-echo-trailing-bin"

    public init() {}

    public func registerMethods(with router: inout RPCRouter) {
        router.addFileDescriptorSet(base64: InteropDescriptors.fileDescriptorSetBase64)
        router.register(
            TestServiceMethods.emptyCall,
            unary: { _, context in
                Self.echoMetadata(context)
                return Grpc_Testing_Empty()
            })
        router.register(
            TestServiceMethods.unaryCall,
            unary: { request, context in
                try Self.unary(request, context)
            })
        router.register(
            TestServiceMethods.cacheableUnaryCall,
            unary: { request, context in
                try Self.unary(request, context)
            })
        router.register(
            TestServiceMethods.streamingOutputCall,
            serverStreaming: { request, writer, context in
                Self.echoMetadata(context)
                try await Self.respond(to: request, writer)
                try Self.echoStatus(request.hasResponseStatus ? request.responseStatus : nil)
            })
        router.register(
            TestServiceMethods.streamingInputCall,
            clientStreaming: { requests, context in
                Self.echoMetadata(context)
                var total: Int32 = 0
                for try await request in requests { total += Int32(request.payload.body.count) }
                var response = Grpc_Testing_StreamingInputCallResponse()
                response.aggregatedPayloadSize = total
                return response
            })
        router.register(
            TestServiceMethods.fullDuplexCall,
            bidirectionalStreaming: { requests, writer, context in
                Self.echoMetadata(context)
                for try await request in requests {
                    try Self.echoStatus(request.hasResponseStatus ? request.responseStatus : nil)
                    try await Self.respond(to: request, writer)
                }
            })
        router.register(
            TestServiceMethods.halfDuplexCall,
            bidirectionalStreaming: { requests, writer, context in
                Self.echoMetadata(context)
                var buffered: [Grpc_Testing_StreamingOutputCallRequest] = []
                for try await request in requests { buffered.append(request) }
                for request in buffered {
                    try Self.echoStatus(request.hasResponseStatus ? request.responseStatus : nil)
                    try await Self.respond(to: request, writer)
                }
            })
        router.register(
            TestServiceMethods.unimplementedCall,
            unary: { _, _ in
                throw RPCError(code: .unimplemented, message: "UnimplementedCall is not implemented, on purpose")
            })
    }

    // MARK: - Behaviour shared by the methods

    static func unary(
        _ request: Grpc_Testing_SimpleRequest, _ context: ServerContext
    ) throws -> Grpc_Testing_SimpleResponse {
        echoMetadata(context)
        try echoStatus(request.hasResponseStatus ? request.responseStatus : nil)
        guard request.responseSize >= 0 else {
            throw RPCError(code: .invalidArgument, message: "response_size must not be negative")
        }
        var response = Grpc_Testing_SimpleResponse()
        if request.responseSize > 0 || request.hasPayload {
            response.payload = payload(size: Int(request.responseSize))
        }
        return response
    }

    static func respond(
        to request: Grpc_Testing_StreamingOutputCallRequest,
        _ writer: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>
    ) async throws {
        for parameters in request.responseParameters {
            guard parameters.size >= 0, parameters.intervalUs >= 0 else {
                throw RPCError(code: .invalidArgument, message: "size and interval_us must not be negative")
            }
            if parameters.intervalUs > 0 {
                try await Task.sleep(for: .microseconds(Int(parameters.intervalUs)))
            }
            var response = Grpc_Testing_StreamingOutputCallResponse()
            response.payload = payload(size: Int(parameters.size))
            try await writer.write(response)
        }
    }

    /// A payload of `size` zero bytes, as the interop cases expect.
    static func payload(size: Int) -> Grpc_Testing_Payload {
        var payload = Grpc_Testing_Payload()
        payload.body = Data(count: size)
        return payload
    }

    /// Throws the requested status (if any and not OK).
    static func echoStatus(_ status: Grpc_Testing_EchoStatus?) throws {
        guard let status, status.code != 0 else { return }
        let code = RPCStatus.Code(rawValue: Int(status.code)) ?? .unknown
        throw RPCError(code: code, message: status.message)
    }

    /// Copies the echo keys of the request metadata into the response's initial and trailing metadata.
    static func echoMetadata(_ context: ServerContext) {
        if let value = context.requestMetadata[echoInitialKey] {
            var initial = context.initialMetadata
            initial.set(echoInitialKey, value)
            context.initialMetadata = initial
        }
        if let bytes = context.requestMetadata.bytes(echoTrailingKey) {
            var trailing = context.trailingMetadata
            trailing.remove(echoTrailingKey)
            trailing.add(echoTrailingKey, bytes: bytes)
            context.trailingMetadata = trailing
        }
    }
}
