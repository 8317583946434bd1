import Foundation
import RPC
import SwiftProtobuf

/// A "message" that serializes to exactly the bytes it holds, so a test can send a body that is not a
/// valid protobuf encoding of anything (a truncated varint, a field with a length past the end).
///
/// Exists because `RPCClient` frames protobuf messages only; this one writes its bytes through the
/// visitor's unknown-field path, which copies them as they are. It never decodes (its calls expect an
/// error answer), and its text form is only its size.
struct RawMessage: SwiftProtobuf.Message, Equatable {
    static let protoMessageName = "bbs.test.RawMessage"
    var bytes = Data()
    var unknownFields = UnknownStorage()

    init() {}

    init(_ bytes: [UInt8]) {
        self.bytes = Data(bytes)
    }

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        throw BinaryDecodingError.malformedProtobuf
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        try visitor.visitUnknown(bytes: bytes)
    }

    func isEqualTo(message: any SwiftProtobuf.Message) -> Bool {
        (message as? RawMessage) == self
    }

    var debugDescription: String { "RawMessage(\(bytes.count) bytes)" }
}

extension RPCMethod {
    /// The same path, sending raw bytes and expecting `Response`.
    var sendingRawBytes: RPCMethod<RawMessage, Response> {
        RPCMethod<RawMessage, Response>(service: descriptor.service, method: descriptor.method, kind: kind)
    }
}
