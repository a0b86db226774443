import AssistantsAPI
import AssistantsStore
import HTTPTypes
import Hummingbird
import NIOCore

/// The web console: its page at `/`, its styles and scripts under `/console/`, and under `/console/api/`
/// what it needs that the public API lacks. The files are compiled into the binary (`ConsoleAssets`), so
/// the server serves them whatever its working directory and wherever it is installed.
struct ConsoleController<Context: RequestContext> {
    let store: any AssistantsStore
    let keys: APIKeys
    let requests: RequestLimiter

    func addRoutes(to router: Router<Context>) {
        for asset in ConsoleAssets.files {
            let path = asset.path == ConsoleAssets.page ? "/" : "console/\(asset.path)"
            router.get(RouterPath(path)) { request, _ in Self.serve(asset, to: request) }
        }
        // Not under /v1: these are the console's own, not part of OpenAI's API.
        let api = router.group("console/api")
        api.get("config", use: config)
        // Guarded by the same keys as the API.
        api.group().add(middleware: APIKeyMiddleware(keys: keys, limiter: requests)).get("threads", use: listThreads)
    }

    /// `GET /console/api/config`, open to all: whether to ask for a key before the first API call (a 401
    /// would say it as well, but as an error in the browser's console).
    @Sendable func config(_ request: Request, context: Context) async throws -> Response {
        .json(["api_keys_required": !(try await keys.isOpen())])
    }

    /// `GET /console/api/threads`: the threads, paged like the API's lists, newest first by default.
    @Sendable func listThreads(_ request: Request, context: Context) async throws -> Response {
        .json(try await store.listThreads(request.listQuery()))
    }

    /// The file, or 304 when the browser's copy is this one. Browsers revalidate on every load (`no-cache`):
    /// a new binary's files show at once, and an unchanged file costs an empty answer.
    static func serve(_ asset: ConsoleAsset, to request: Request) -> Response {
        var headers: HTTPFields = [
            .contentType: asset.contentType,
            .cacheControl: "no-cache",
            .eTag: asset.etag,
            .xContentTypeOptions: "nosniff",
        ]
        if asset.path == ConsoleAssets.page {
            // Only the server's own scripts, styles and API: nothing injected into a rendered message can run
            // or load anything, and no other site may frame the page. Images may be `blob:` URLs: files the
            // page fetched itself with the API key (figures the code interpreter drew).
            headers[.contentSecurityPolicy] =
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        }
        let matches = (request.headers[.ifNoneMatch] ?? "").split(separator: ",")
            .contains { $0.trimmingCharacters(in: .whitespaces) == asset.etag || $0.trimmingCharacters(in: .whitespaces) == "*" }
        if matches { return Response(status: .notModified, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.text)))
    }
}

/// A file of the console, as the EmbedConsole build-tool plugin compiled it in from `console/`.
struct ConsoleAsset: Sendable {
    /// Relative to `console/`.
    let path: String
    /// A quoted digest of the content.
    let etag: String
    let text: String

    var contentType: String {
        switch path.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        default: "text/plain; charset=utf-8"
        }
    }
}

enum ConsoleAssets {
    /// The page served at `/`.
    static let page = "index.html"
}
