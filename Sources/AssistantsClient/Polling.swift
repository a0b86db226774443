import NIOHTTP1

extension Transport {
    /// How long a polling helper waits before asking again: `openai-poll-after-ms` when the server sends it.
    func pollInterval(_ headers: HTTPHeaders) -> Duration {
        headers.first(name: "openai-poll-after-ms").flatMap(Int.init).map { .milliseconds($0) } ?? configuration.pollInterval
    }
}
