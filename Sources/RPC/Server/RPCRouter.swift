import NIOCore
import SwiftProtobuf

/// The table from `/package.Service/Method` to a handler.
///
/// Exists so each service registers its own methods with typed closures; the server looks the
/// path up once per call and answers UNIMPLEMENTED for anything absent. Registration erases
/// the message types into a closure that decodes requests and encodes responses.
public struct RPCRouter: Sendable {
    private(set) var routes: [String: ServerRoute] = [:]
    private var descriptorOrder: [String] = []
    private var descriptorsByName: [String: [UInt8]] = [:]

    public init() {}

    /// Every registered method.
    public var methods: [MethodDescriptor] { routes.values.map(\.method).sorted { $0.path < $1.path } }

    /// Serialized `google.protobuf.FileDescriptorProto`s of the registered services (and their
    /// dependencies), served by reflection.
    public var fileDescriptors: [[UInt8]] { descriptorOrder.compactMap { descriptorsByName[$0] } }

    /// Adds file descriptors (serialized FileDescriptorProto) for reflection. A file already
    /// present (by name) is kept once; bytes that are not a FileDescriptorProto are ignored.
    public mutating func addFileDescriptors(_ descriptors: [[UInt8]]) {
        for bytes in descriptors {
            guard let file = try? Google_Protobuf_FileDescriptorProto(serializedBytes: bytes) else { continue }
            if descriptorsByName[file.name] == nil { descriptorOrder.append(file.name) }
            descriptorsByName[file.name] = bytes
        }
    }

    /// Adds every file of a serialized `google.protobuf.FileDescriptorSet` in base64, as written by
    /// `descriptors` in proto/generate.sh.
    public mutating func addFileDescriptorSet(base64: String) {
        let compact = base64.filter { !$0.isWhitespace }
        guard let bytes = Base64.decode(compact),
            let set = try? Google_Protobuf_FileDescriptorSet(serializedBytes: bytes)
        else { return }
        addFileDescriptors(set.file.compactMap { try? $0.serializedBytes() })
    }

    /// The route for a method, if registered.
    func route(for method: MethodDescriptor) -> ServerRoute? { routes[method.path] }

    /// The route for a `:path`, if registered.
    func route(forPath path: String) -> ServerRoute? { routes[path] }

    /// Registers every method of a service.
    public mutating func register(_ service: some RegistrableService) {
        service.registerMethods(with: &self)
    }

    public mutating func register<Req, Resp>(
        _ method: RPCMethod<Req, Resp>,
        unary handler: @escaping @Sendable (Req, ServerContext) async throws -> Resp
    ) {
        add(method, kind: .unary) { call, context in
            let request = try Self.decode(Req.self, call.unaryRequest)
            let response = try await handler(request, context)
            return try MessageFramer.frame(response, maxMessageSize: call.maxSendMessageSize)
        }
    }

    public mutating func register<Req, Resp>(
        _ method: RPCMethod<Req, Resp>,
        serverStreaming handler: @escaping @Sendable (Req, RPCWriter<Resp>, ServerContext) async throws -> Void
    ) {
        add(method, kind: .serverStreaming) { call, context in
            let request = try Self.decode(Req.self, call.unaryRequest)
            try await handler(request, Self.writer(call), context)
            return nil
        }
    }

    public mutating func register<Req, Resp>(
        _ method: RPCMethod<Req, Resp>,
        clientStreaming handler: @escaping @Sendable (RPCMessageStream<Req>, ServerContext) async throws -> Resp
    ) {
        add(method, kind: .clientStreaming) { call, context in
            let response = try await handler(Self.requests(call), context)
            return try MessageFramer.frame(response, maxMessageSize: call.maxSendMessageSize)
        }
    }

    public mutating func register<Req, Resp>(
        _ method: RPCMethod<Req, Resp>,
        bidirectionalStreaming handler:
            @escaping @Sendable (RPCMessageStream<Req>, RPCWriter<Resp>, ServerContext) async throws -> Void
    ) {
        add(method, kind: .bidirectionalStreaming) { call, context in
            try await handler(Self.requests(call), Self.writer(call), context)
            return nil
        }
    }

    // MARK: - Type erasure

    private mutating func add<Req, Resp>(
        _ method: RPCMethod<Req, Resp>, kind: RPCKind,
        _ body: @escaping @Sendable (ServerCallHandle, ServerContext) async throws -> ByteBuffer?
    ) {
        routes[method.path] = ServerRoute(method: method.descriptor, kind: kind, run: body)
    }

    static func decode<Message: SwiftProtobuf.Message>(_ type: Message.Type, _ buffer: ByteBuffer?) throws -> Message {
        guard let buffer else {
            throw RPCError(code: .internal, message: "no request message")
        }
        do {
            return try buffer.withUnsafeReadableBytes { try Message(serializedBytes: $0.bytes) }
        } catch {
            throw RPCError(
                code: .invalidArgument,
                message: "failed to decode \(Message.protoMessageName) from the request: \(error)")
        }
    }

    private static func writer<Resp: SwiftProtobuf.Message>(_ call: ServerCallHandle) -> RPCWriter<Resp> {
        RPCWriter { message in
            try await call.write(try MessageFramer.frame(message, maxMessageSize: call.maxSendMessageSize))
        }
    }

    private static func requests<Req: SwiftProtobuf.Message>(_ call: ServerCallHandle) -> RPCMessageStream<Req> {
        RPCMessageStream {
            {
                guard let buffer = try await call.nextRequest() else { return nil }
                return try decode(Req.self, buffer)
            }
        }
    }
}

/// One registered method with its type-erased body, which returns the framed response of a
/// unary or client-streaming call (sent with the status) and nil for server-streaming ones.
struct ServerRoute: Sendable {
    let method: MethodDescriptor
    let kind: RPCKind
    let run: @Sendable (ServerCallHandle, ServerContext) async throws -> ByteBuffer?

    /// The built-in body of a path no route has: UNIMPLEMENTED naming the path. Runs behind the
    /// interceptors, so a gate (503 while migrating) or a redirect answers unknown methods too.
    static func unimplemented(method: MethodDescriptor, path: String) -> ServerRoute {
        let status = ServerCallStateMachine.unimplemented(path: path)
        return ServerRoute(method: method, kind: .bidirectionalStreaming) { _, _ in
            throw RPCError(code: status.code, message: status.message)
        }
    }
}

/// A service that knows how to put its methods into a router.
///
/// Exists so each BBS service registers itself (`router.register(TaskService(...))`).
public protocol RegistrableService: Sendable {
    func registerMethods(with router: inout RPCRouter)
}
