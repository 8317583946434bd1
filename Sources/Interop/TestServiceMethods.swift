import RPC

/// The typed methods of `grpc.testing.TestService` and `grpc.testing.UnimplementedService`.
///
/// Exists so the interop server registers, and our client calls, the interop methods by one
/// constant each, with the message types checked at compile time.
public enum TestServiceMethods {
    public static let service = "grpc.testing.TestService"

    public static let emptyCall = RPCMethod<Grpc_Testing_Empty, Grpc_Testing_Empty>(
        service: service, method: "EmptyCall", kind: .unary)
    public static let unaryCall = RPCMethod<Grpc_Testing_SimpleRequest, Grpc_Testing_SimpleResponse>(
        service: service, method: "UnaryCall", kind: .unary)
    public static let cacheableUnaryCall = RPCMethod<Grpc_Testing_SimpleRequest, Grpc_Testing_SimpleResponse>(
        service: service, method: "CacheableUnaryCall", kind: .unary)
    public static let streamingOutputCall =
        RPCMethod<Grpc_Testing_StreamingOutputCallRequest, Grpc_Testing_StreamingOutputCallResponse>(
            service: service, method: "StreamingOutputCall", kind: .serverStreaming)
    public static let streamingInputCall =
        RPCMethod<Grpc_Testing_StreamingInputCallRequest, Grpc_Testing_StreamingInputCallResponse>(
            service: service, method: "StreamingInputCall", kind: .clientStreaming)
    public static let fullDuplexCall =
        RPCMethod<Grpc_Testing_StreamingOutputCallRequest, Grpc_Testing_StreamingOutputCallResponse>(
            service: service, method: "FullDuplexCall", kind: .bidirectionalStreaming)
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
