/// The best `limit` ids seen so far by score, best first; equal scores go to the lower id, so
/// results do not depend on the order candidates were seen in. Cheap when most candidates lose:
/// once full, `admits` is one comparison.
struct TopK<Score: Comparable> {
    let limit: Int
    private(set) var best: [(id: Int64, score: Score)] = []

    init(limit: Int) {
        self.limit = limit
        best.reserveCapacity(limit + 1)
    }

    func admits(_ id: Int64, _ score: Score) -> Bool {
        guard best.count == limit, let last = best.last else { return limit > 0 }
        return Self.before((id, score), last)
    }

    mutating func insert(_ id: Int64, _ score: Score) {
        guard admits(id, score) else { return }
        let position = best.firstIndex { Self.before((id, score), $0) } ?? best.count
        best.insert((id, score), at: position)
        if best.count > limit { best.removeLast() }
    }

    static func before(_ a: (id: Int64, score: Score), _ b: (id: Int64, score: Score)) -> Bool {
        a.score > b.score || (a.score == b.score && a.id < b.id)
    }
}
