import AssistantsAPI
import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization

/// How long a connection may keep the server waiting, and how many it may hold open. A client that
/// stops sending is cut off; one that is waiting for a response (an event stream of a long run) never is.
public struct ConnectionLimits: Sendable, Equatable {
    /// From a new connection, or a request's first byte on a kept-alive one, to its complete head.
    public var headerTimeout: Duration
    /// The longest gap between two pieces of a request body.
    public var bodyIdleTimeout: Duration
    /// How long a kept-alive connection may sit with no request.
    public var keepAliveTimeout: Duration
    /// Open connections at most. At the cap, a new connection takes the place of the one that has waited
    /// longest without a request in flight (idle or still sending its head); when every connection has a
    /// request in flight, the new one is closed at once.
    public var maxConnections: Int

    public init(
        headerTimeout: Duration = .seconds(30), bodyIdleTimeout: Duration = .seconds(60),
        keepAliveTimeout: Duration = .seconds(75), maxConnections: Int = ConnectionLimits.defaultMaxConnections
    ) {
        self.headerTimeout = headerTimeout
        self.bodyIdleTimeout = bodyIdleTimeout
        self.keepAliveTimeout = keepAliveTimeout
        self.maxConnections = maxConnections
    }

    /// 4096, or fewer when the open-files limit is lower: 256 descriptors are left for the database,
    /// files, upstream connections and code interpreter sessions, so the server never runs out of
    /// descriptors to accept with (which would lock every client out).
    public static var defaultMaxConnections: Int {
        var limit = rlimit()
        #if canImport(Glibc)
        let got = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
        let got = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        // RLIM_INFINITY is all ones.
        guard got == 0, limit.rlim_cur != rlim_t.max else { return 4096 }
        return max(16, min(4096, Int(clamping: limit.rlim_cur) - 256))
    }
}

/// The open connections of one server, shared by every connection's `ConnectionGuard`.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        var channel: any Channel
        /// No request in flight: idle between requests, or still sending a head. Such a connection may
        /// give its place to a new one.
        var waiting: Bool
        var since: NIODeadline
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])
    let maxConnections: Int

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    /// Whether `channel` may stay open; at the cap it evicts the longest-waiting connection without a
    /// request in flight, if there is one.
    func admit(_ channel: any Channel) -> Bool {
        let evicted: (any Channel)?? = entries.withLock { entries in
            var evicted: (any Channel)?
            if entries.count >= maxConnections {
                guard let oldest = entries.filter({ $0.value.waiting }).min(by: { $0.value.since < $1.value.since }) else {
                    return .none
                }
                entries[oldest.key] = nil
                evicted = oldest.value.channel
            }
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, waiting: true, since: .now())
            return .some(evicted)
        }
        guard let evicted else { return false }
        evicted?.close(promise: nil)
        return true
    }

    func update(_ channel: any Channel, waiting: Bool) {
        entries.withLock { entries in
            entries[ObjectIdentifier(channel)]?.waiting = waiting
            entries[ObjectIdentifier(channel)]?.since = .now()
        }
    }

    func remove(_ channel: any Channel) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}

/// One connection's deadlines, between the HTTP codec and the request handling. It sees request parts
/// and response parts; a small handler at the front of the pipeline tells it when raw bytes arrive, which
/// is when a kept-alive connection starts its next request.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        /// Waiting for a request head; `started` tells whether its first byte has come.
        case awaitingHead(started: Bool)
        case readingBody
        /// The request is read; its response is being written. No deadline: the client is waiting.
        case responding
    }

    private let limits: ConnectionLimits
    private let registry: ConnectionRegistry
    private var phase = Phase.awaitingHead(started: true)
    private var requestOpen = false
    private var responsesPending = 0
    private var timer: Scheduled<Void>?
    /// When the last piece of the request body came: the body deadline is checked against it when its
    /// timer fires, rather than re-armed for every piece.
    private var lastBodyRead = NIODeadline.now()
    private var started = false
    private var registered = false

    init(limits: ConnectionLimits, registry: ConnectionRegistry) {
        self.limits = limits
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        try? context.pipeline.syncOperations.addHandler(ByteArrivalObserver(owner: self), position: .first)
        guard context.channel.isActive else { return }
        start(context)
    }

    func channelActive(context: ChannelHandlerContext) {
        if !started { start(context) }
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        started = true
        guard registry.admit(context.channel) else {
            // Closed once the pipeline is set up, which is still going on.
            context.eventLoop.assumeIsolated().execute { context.close(promise: nil) }
            return
        }
        registered = true
        // A new connection has the header timeout to send its first head.
        arm(context, after: limits.headerTimeout)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(context)
    }

    private func finish(_ context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        if registered { registry.remove(context.channel) }
        registered = false
    }

    /// Bytes came in (before the codec made parts of them).
    fileprivate func bytesArrived(_ context: ChannelHandlerContext) {
        guard case .awaitingHead(started: false) = phase else { return }
        phase = .awaitingHead(started: true)
        arm(context, after: limits.headerTimeout)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestOpen = true
            responsesPending += 1
            phase = .readingBody
            if registered { registry.update(context.channel, waiting: false) }
            lastBodyRead = .now()
            armBodyDeadline(context, after: limits.bodyIdleTimeout)
        case .body:
            lastBodyRead = .now()
        case .end:
            requestOpen = false
            if responsesPending > 0 {
                phase = .responding
                disarm()
            } else {
                becomeIdle(context)
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            responsesPending = max(0, responsesPending - 1)
            // A response sent before its request was read whole (an early error) leaves the body's
            // deadline running until the body ends.
            if responsesPending == 0 && !requestOpen { becomeIdle(context) }
        }
        context.write(data, promise: promise)
    }

    /// A request the HTTP parser refused (an unknown method, a malformed head) gets OpenAI's error
    /// envelope rather than the server framework's empty 400, unless a response is under way, in which
    /// case the connection can only be closed.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError, responsesPending == 0, !requestOpen else {
            context.fireErrorCaught(error)
            return
        }
        disarm()
        let apiError =
            parseError == .invalidMethod
            ? APIError(status: 405, type: "invalid_request_error", message: "Invalid method: this API takes \(Self.methods).")
            : APIError.invalidRequest("The request could not be parsed as HTTP/1.1.")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(apiError.envelope)) ?? Data()
        var fields: HTTPFields = [
            .contentType: "application/json", .contentLength: String(body.count), .connection: "close",
            RequestIdentifier.header: RequestIdentifier.make(),
        ]
        if parseError == .invalidMethod { fields[.allow] = Self.methods }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .init(code: apiError.status), headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// Every method some route of the API takes.
    static let methods = "GET, HEAD, POST, DELETE"

    private func becomeIdle(_ context: ChannelHandlerContext) {
        phase = .awaitingHead(started: false)
        if registered { registry.update(context.channel, waiting: true) }
        arm(context, after: limits.keepAliveTimeout)
    }

    private func arm(_ context: ChannelHandlerContext, after delay: Duration) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: .init(delay)) { [self] in
            timer = nil
            context.close(promise: nil)
        }
    }

    private func armBodyDeadline(_ context: ChannelHandlerContext, after delay: Duration) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: .init(delay)) { [self] in
            timer = nil
            guard requestOpen else { return }
            let due = lastBodyRead + TimeAmount(limits.bodyIdleTimeout)
            if due > .now() {
                armBodyDeadline(context, after: .nanoseconds((due - .now()).nanoseconds))
            } else {
                context.close(promise: nil)
            }
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

/// Tells the connection's guard that bytes arrived, at the very front of the pipeline.
private final class ByteArrivalObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let owner: ConnectionGuard
    private var ownerContext: ChannelHandlerContext?

    init(owner: ConnectionGuard) {
        self.owner = owner
    }

    func handlerAdded(context: ChannelHandlerContext) {
        ownerContext = try? context.pipeline.syncOperations.context(handler: owner)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ownerContext = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let ownerContext { owner.bytesArrived(ownerContext) }
        context.fireChannelRead(data)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the connection limits: deadlines for slow clients and a cap on open connections.
    public static func http1(limits: ConnectionLimits) -> HTTPServerBuilder {
        let registry = ConnectionRegistry(maxConnections: limits.maxConnections)
        return .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuard(limits: limits, registry: registry)]))
    }
}
