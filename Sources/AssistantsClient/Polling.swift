import NIOHTTP1

extension Transport {
    /// Asks with `request` until `isSettled` says the answer is final, waiting between asks as long as the
    /// server's `openai-poll-after-ms` says (else the configured poll interval).
    func poll<T: Decodable>(_ request: APIRequest, until isSettled: (T) -> Bool) async throws -> T {
        while true {
            let (value, headers) = try await decode(request, as: T.self)
            if isSettled(value) { return value }
            try await Task.sleep(for: pollInterval(headers))
        }
    }

    private func pollInterval(_ headers: HTTPHeaders) -> Duration {
        headers.first(name: "openai-poll-after-ms").flatMap(Int.init).map { .milliseconds($0) } ?? configuration.pollInterval
    }
}
