import AssistantsAPI

/// The calls an object collection at `path` answers: create (POST to the collection), retrieve, update
/// (POST to the object), delete, list and poll. Each resource exposes the ones its API has.
struct ObjectEndpoints<Object: Codable & Sendable>: Sendable {
    let transport: Transport
    let path: String

    init(_ transport: Transport, _ path: String) {
        self.transport = transport
        self.path = path
    }

    func create(_ body: some Encodable & Sendable) async throws -> Object {
        try await transport.json(APIRequest(.POST, path, json: body))
    }

    func retrieve(_ id: String, query: [(name: String, value: String)] = []) async throws -> Object {
        try await transport.json(APIRequest(.GET, "\(path)/\(id)", query: query))
    }

    func update(_ id: String, _ body: some Encodable & Sendable) async throws -> Object {
        try await transport.json(APIRequest(.POST, "\(path)/\(id)", json: body))
    }

    func delete(_ id: String) async throws -> DeletionStatus {
        try await transport.json(APIRequest(.DELETE, "\(path)/\(id)"))
    }

    /// A POST to one of the object's actions, such as `cancel`.
    func action(_ id: String, _ action: String) async throws -> Object {
        try await transport.json(APIRequest(.POST, "\(path)/\(id)/\(action)"))
    }

    func list(_ query: ListQuery, extra: [(name: String, value: String)] = []) -> PagedSequence<Object> {
        transport.list(path, query, extra: extra)
    }

    func poll(_ id: String, until isSettled: (Object) -> Bool) async throws -> Object {
        try await transport.poll(APIRequest(.GET, "\(path)/\(id)"), until: isSettled)
    }

    /// Creates the object, then polls it by its `id` until it settles.
    func createAndPoll(_ body: some Encodable & Sendable, id: KeyPath<Object, String>, until isSettled: (Object) -> Bool) async throws -> Object {
        try await poll(try await create(body)[keyPath: id], until: isSettled)
    }
}
