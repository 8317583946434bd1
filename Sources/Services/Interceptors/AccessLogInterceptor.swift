import Foundation
import Logging
import RPC
import Store

/// One access-log line per call: method, status, duration, the verified peer and the request id
/// (`x-request-id` when the client sent one), as Diego's optional access log did with the peer subject.
public struct AccessLogInterceptor: ServerInterceptor {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func intercept(_ context: ServerContext, next: @Sendable (ServerContext) async throws -> Void) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        var status = RPCStatus.Code.ok
        defer {
            var metadata: Logger.Metadata = [
                "method": "\(context.method.path)",
                "status": "\(status)",
                "duration_ms": "\(Self.milliseconds(clock.now - start))",
                "remote": "\(context.remoteAddress)",
            ]
            if let peer = context.peer { metadata["peer"] = "\(peer.subject)" }
            if let id = context.requestMetadata["x-request-id"] { metadata["request_id"] = "\(id)" }
            logger.info("request", metadata: metadata)
        }
        do {
            try await next(context)
        } catch let error as RPCError {
            status = error.code
            throw error
        } catch {
            status = .unknown
            throw error
        }
    }

    static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.3f", duration.seconds * 1000)
    }
}
