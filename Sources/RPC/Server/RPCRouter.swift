import SwiftProtobuf

/// The table from `/package.Service/Method` to a handler.
///
/// Exists so each service registers its own methods with typed closures; the server looks the
/// path up once per call and answers UNIMPLEMENTED for anything absent. Registration erases
/// the message types into a closure that decodes requests and encodes responses.
public struct RPCRouter: Sendable {
    public init() { fatalError("implemented in the RPC-layer issue") }

    /// Every registered method.
    public var methods: [MethodDescriptor] { fatalError("implemented in the RPC-layer issue") }

    /// Serialized `google.protobuf.FileDescriptorProto`s of the registered services (and their
    /// dependencies), served by reflection.
    public var fileDescriptors: [[UInt8]] { fatalError("implemented in the RPC-layer issue") }

    /// Adds file descriptors (serialized FileDescriptorProto) for reflection.
    public mutating func addFileDescriptors(_ descriptors: [[UInt8]]) {
        fatalError("implemented in the RPC-layer issue")
    }

    /// Registers every method of a service.
    public mutating func register(_ service: some RegistrableService) {
        service.registerMethods(with: &self)
    }

    public mutating func register<Req, Resp>(
        _ method: RPCMethod<Req, Resp>,
        unary handler: @escaping @Sendable (Req, ServerContext) async throws -> Resp
    ) { fatalError("implemented in the RPC-layer issue") }

    public mutating func register<Req, Resp>(
        _ method: RPCMethod<Req, Resp>,
        serverStreaming handler: @escaping @Sendable (Req, RPCWriter<Resp>, ServerContext) async throws -> Void
    ) { fatalError("implemented in the RPC-layer issue") }

    public mutating func register<Req, Resp>(
        _ method: RPCMethod<Req, Resp>,
        clientStreaming handler: @escaping @Sendable (RPCMessageStream<Req>, ServerContext) async throws -> Resp
    ) { fatalError("implemented in the RPC-layer issue") }

    public mutating func register<Req, Resp>(
        _ method: RPCMethod<Req, Resp>,
        bidirectionalStreaming handler:
            @escaping @Sendable (RPCMessageStream<Req>, RPCWriter<Resp>, ServerContext) async throws -> Void
    ) { fatalError("implemented in the RPC-layer issue") }
}

/// A service that knows how to put its methods into a router.
///
/// Exists so each BBS service registers itself (`router.register(TaskService(...))`).
public protocol RegistrableService: Sendable {
    func registerMethods(with router: inout RPCRouter)
}
