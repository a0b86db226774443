/// Splits the runner's stdout into reply lines, refusing any line longer than `limit` so that a corrupted
/// channel cannot make the server buffer without bound.
struct LineSplitter {
    struct Overflow: Error {}

    var limit: Int
    private var pending: [UInt8] = []

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) throws(Overflow) -> [[UInt8]] {
        let start = pending.count
        pending.append(contentsOf: bytes)
        var lines: [[UInt8]] = []
        var from = 0
        var index = start
        while let newline = pending[index...].firstIndex(of: 0x0A) {
            lines.append(Array(pending[from..<newline]))
            from = newline + 1
            index = from
        }
        pending.removeFirst(from)
        guard pending.count <= limit else { throw Overflow() }
        return lines
    }
}
