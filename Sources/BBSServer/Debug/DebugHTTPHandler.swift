import NIOCore
import NIOHTTP1

/// Answers the requests of one debug connection from the route table.
///
/// Thin on purpose: `DebugRoutes.decide` says what a request gets, and NIO's `HTTPServerPipelineHandler`
/// (in front of this one) hands over one request at a time, holds pipelined ones back until the response
/// is written, and closes the connection when the server quiesces. What is left here is the I/O: run the
/// route off the event loop, write head, body and end, and close when the client did not ask to keep
/// the connection alive.
final class DebugHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The request whose body is still arriving (a GET has none; any body is ignored).
    private struct Request {
        var head: HTTPRequestHead
        var decision: DebugRoutes.Decision
    }

    private let routes: DebugRoutes
    private var request: Request?

    init(routes: DebugRoutes) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = Request(head: head, decision: routes.decide(method: head.method.rawValue, uri: head.uri))
        case .body:
            break
        case .end:
            guard let request else { return }
            self.request = nil
            switch request.decision {
            case .respond(let response):
                write(response, to: request.head, context: context)
            case .run(let route):
                let answered = context.eventLoop.makePromise(of: DebugResponse.self)
                answered.completeWithTask { await route() }
                answered.futureResult.assumeIsolated().whenSuccess { response in
                    self.write(response, to: request.head, context: context)
                }
            }
        }
    }

    private func write(_ response: DebugResponse, to head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let body = context.channel.allocator.buffer(string: response.body)
        var headers = HTTPHeaders()
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
        headers.replaceOrAdd(name: "content-type", value: response.contentType)
        headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        if !head.isKeepAlive { headers.replaceOrAdd(name: "connection", value: "close") }

        let responseHead = HTTPResponseHead(
            version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        let keepAlive = head.isKeepAlive
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
