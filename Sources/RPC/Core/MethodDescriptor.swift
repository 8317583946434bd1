import SwiftProtobuf

/// Names one RPC method: `package.Service` and `Method`, whose path is `/package.Service/Method`.
///
/// Exists as the router's key and the client's target.
public struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// Fully qualified service name, e.g. `diego.bbs.TaskService`.
    public var service: String
    /// Method name, e.g. `DesireTask`.
    public var method: String

    public init(service: String, method: String) {
        self.service = service
        self.method = method
    }

    /// The HTTP/2 `:path`.
    public var path: String { "/\(service)/\(method)" }

    /// Parses a `:path` of the form `/package.Service/Method`.
    public init?(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        self.service = String(parts[1])
        self.method = String(parts[2])
    }

    public var description: String { path }
}

/// The four gRPC call shapes.
public enum RPCKind: Sendable, Hashable {
    case unary, serverStreaming, clientStreaming, bidirectionalStreaming
}

/// A method with its request and response message types: the typed handle that both the router
/// (`register`) and the client (`unary`, `serverStreaming`, ...) take.
///
/// Exists so one constant per method gives compile-time checked registration and calls.
public struct RPCMethod<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>: Sendable {
    public let descriptor: MethodDescriptor
    public let kind: RPCKind

    public init(service: String, method: String, kind: RPCKind) {
        self.descriptor = MethodDescriptor(service: service, method: method)
        self.kind = kind
    }

    public var path: String { descriptor.path }
}
