import AssistantsAPI

/// Every item of a list, fetched a page at a time as iteration reaches it: each next page is asked for
/// `after` the last id of the one before, until the server says there are no more.
public struct PagedSequence<Item: Codable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = Item

    let query: ListQuery
    let fetch: @Sendable (ListQuery) async throws -> ListPage<Item>

    /// One page, as the server answers it for the query.
    public func firstPage() async throws -> ListPage<Item> {
        try await fetch(query)
    }

    /// Every item, in one array.
    public func collect() async throws -> [Item] {
        try await reduce(into: []) { $0.append($1) }
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(query: query, fetch: fetch)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var query: ListQuery
        let fetch: @Sendable (ListQuery) async throws -> ListPage<Item>
        var buffered: ArraySlice<Item> = []
        var exhausted = false

        public mutating func next() async throws -> Item? {
            while buffered.isEmpty {
                guard !exhausted else { return nil }
                let page = try await fetch(query)
                buffered = page.data[...]
                exhausted = !page.hasMore || page.lastID == nil
                query.after = page.lastID
            }
            return buffered.popFirst()
        }
    }
}

extension ListQuery {
    /// The query parameters of a list request.
    var parameters: [(name: String, value: String)] {
        var parameters = [(name: "limit", value: String(limit)), (name: "order", value: order.rawValue)]
        if let after { parameters.append((name: "after", value: after)) }
        if let before { parameters.append((name: "before", value: before)) }
        return parameters
    }
}

extension Transport {
    /// A paged list at `path`; `extra` query parameters (filters) go with every page.
    func list<Item: Codable & Sendable>(
        _ path: String, _ query: ListQuery, extra: [(name: String, value: String)] = []
    ) -> PagedSequence<Item> {
        PagedSequence(query: query) { query in
            try await json(APIRequest(.GET, path, query: query.parameters + extra))
        }
    }
}
