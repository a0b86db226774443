import AssistantsAPI
import AssistantsStore
import Crypto
import Foundation
import Synchronization

/// Which project a request acts for, from its API key: a key of `ASSISTANTS_API_KEYS` belongs to the default
/// project; a key made by `assistants keys create` to its own, found by the SHA-256 of its value.
///
/// Keys are made and revoked by the admin commands while the server runs, possibly on another machine, so
/// what the store says is remembered for `ttl` only: a revoked key stops working within that time, and a
/// request costs a database round trip at most once per key and `ttl`.
///
/// Open (every request let in, for the default project) only while no key is configured or stored and the
/// server listens on a loopback address; a public server with no key refuses every request.
final class APIKeys: Sendable {
    private let configured: Set<String>
    private let store: any ProjectRecords
    private let loopbackOnly: Bool
    /// The requests per minute of every key whose project sets none.
    private let requestsPerMinute: Int?
    private let ttl: Duration

    private struct Remembered<Value: Sendable>: Sendable {
        var value: Value
        var until: ContinuousClock.Instant
    }

    /// What the store said of each key hash recently (nil: no such key); bounded by `capacity`, dropped
    /// whole when full.
    private let remembered = Mutex<[String: Remembered<Caller?>]>([:])
    private let storedKeysExist = Mutex<Remembered<Bool>?>(nil)
    private static let capacity = 10_000

    init(configured: Set<String>, store: any ProjectRecords, loopbackOnly: Bool, requestsPerMinute: Int? = nil, ttl: Duration = .seconds(5)) {
        self.configured = configured
        self.store = store
        self.loopbackOnly = loopbackOnly
        self.requestsPerMinute = requestsPerMinute
        self.ttl = ttl
    }

    /// Whether requests need no key. Only a server on a loopback address can be open.
    func isOpen() async throws -> Bool {
        guard configured.isEmpty, loopbackOnly else { return false }
        let now = ContinuousClock.now
        if let known = storedKeysExist.withLock({ $0 }), known.until > now { return !known.value }
        let exist = !(try await store.apiKeys(projectID: nil).isEmpty)
        storedKeysExist.withLock { $0 = Remembered(value: exist, until: now + ttl) }
        return !exist
    }

    /// Who sent the request whose `Authorization` header is `authorization`. Throws
    /// `APIError.missingAPIKey` without a bearer key and `APIError.incorrectAPIKey` for a key that is
    /// neither configured nor stored (revoked keys included), unless the server is open.
    func caller(authorization: String?) async throws -> Caller {
        let defaultProject = { (key: String) in
            Caller(project: ProjectScope.defaultProjectID, key: key, requestsPerMinute: self.requestsPerMinute)
        }
        if try await isOpen() { return defaultProject("open") }
        guard let header = authorization, header.lowercased().hasPrefix("bearer ") else { throw APIError.missingAPIKey }
        let key = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else { throw APIError.missingAPIKey }
        let hash = Self.hash(key)
        // Every configured key is compared in full, so response times say nothing about how much matched.
        let matches = configured.reduce(false) { matched, candidate in Self.constantTimeEqual(candidate, key) || matched }
        if matches { return defaultProject("configured:" + hash) }
        guard let caller = try await storedCaller(hash: hash) else { throw APIError.incorrectAPIKey(key) }
        return caller
    }

    private func storedCaller(hash: String) async throws -> Caller? {
        let now = ContinuousClock.now
        if let known = remembered.withLock({ $0[hash] }), known.until > now { return known.value }
        var caller: Caller?
        if let key = try await store.apiKey(hash: hash) {
            let project = try await store.project(idOrName: key.projectID)
            caller = Caller(project: key.projectID, key: key.id, requestsPerMinute: project?.requestsPerMinute ?? requestsPerMinute)
        }
        remembered.withLock { remembered in
            if remembered.count >= Self.capacity { remembered.removeAll() }
            remembered[hash] = Remembered(value: caller, until: now + ttl)
        }
        return caller
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (a, b) = (Array(a.utf8), Array(b.utf8))
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0 && a.count == b.count
    }

    /// What the store keeps of a key: its SHA-256, in lowercase hex. Keys are long random values, so a
    /// fast hash is enough: there is no guessing them from it.
    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A new key's value: `sk-proj-` and 48 random base62 characters (285 bits).
    static func newKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return "sk-proj-" + String((0..<48).map { _ in base62.randomElement(using: &generator)! })
    }

    /// How a key is shown once made: its prefix and its last four characters.
    static func redacted(_ key: String) -> String {
        "\(key.prefix(11))…\(key.suffix(4))"
    }

    private static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
}

/// Who a request comes from: the project it acts for, the key it came with (a stored key's id, or a name
/// for a configured key, never the key itself), and how many requests per minute that key may make.
struct Caller: Sendable, Equatable {
    var project: String
    var key: String
    var requestsPerMinute: Int?
}
