import RPC

/// The typed methods of `grpc.testing.TestService` and `grpc.testing.UnimplementedService`.
///
/// Exists so the interop server registers, and our client calls, the interop methods by one
/// constant each, with the message types checked at compile time.
public enum TestServiceMethods {
    /// The service's full name.
    public static let service = "grpc.testing.TestService"

    /// One empty request, one empty response (`empty_unary`).
    public static let emptyCall = RPCMethod<Grpc_Testing_Empty, Grpc_Testing_Empty>(
        service: service, method: "EmptyCall", kind: .unary)
    /// A payload of `response_size` zeros, or the requested status (`large_unary`, `status_code_and_message`).
    public static let unaryCall = RPCMethod<Grpc_Testing_SimpleRequest, Grpc_Testing_SimpleResponse>(
        service: service, method: "UnaryCall", kind: .unary)
    /// Like `UnaryCall` (the caching headers are a proxy's business).
    public static let cacheableUnaryCall = RPCMethod<Grpc_Testing_SimpleRequest, Grpc_Testing_SimpleResponse>(
        service: service, method: "CacheableUnaryCall", kind: .unary)
    /// One response per `response_parameters` entry (`server_streaming`).
    public static let streamingOutputCall =
        RPCMethod<Grpc_Testing_StreamingOutputCallRequest, Grpc_Testing_StreamingOutputCallResponse>(
            service: service, method: "StreamingOutputCall", kind: .serverStreaming)
    /// The summed payload sizes of the requests (`client_streaming`, `cancel_after_begin`).
    public static let streamingInputCall =
        RPCMethod<Grpc_Testing_StreamingInputCallRequest, Grpc_Testing_StreamingInputCallResponse>(
            service: service, method: "StreamingInputCall", kind: .clientStreaming)
    /// Responses per request as they arrive (`ping_pong`, `empty_stream`, cancellations, timeouts).
    public static let fullDuplexCall =
        RPCMethod<Grpc_Testing_StreamingOutputCallRequest, Grpc_Testing_StreamingOutputCallResponse>(
            service: service, method: "FullDuplexCall", kind: .bidirectionalStreaming)
    /// Responses after the client half-closes, in request order.
    public static let halfDuplexCall =
        RPCMethod<Grpc_Testing_StreamingOutputCallRequest, Grpc_Testing_StreamingOutputCallResponse>(
            service: service, method: "HalfDuplexCall", kind: .bidirectionalStreaming)
    /// Registered so that it answers UNIMPLEMENTED explicitly, as the interop spec asks.
    public static let unimplementedCall = RPCMethod<Grpc_Testing_Empty, Grpc_Testing_Empty>(
        service: service, method: "UnimplementedCall", kind: .unary)

    /// A method of a service that no server implements (`unimplemented_service`).
    public static let unimplementedServiceCall = RPCMethod<Grpc_Testing_Empty, Grpc_Testing_Empty>(
        service: "grpc.testing.UnimplementedService", method: "UnimplementedCall", kind: .unary)
}
