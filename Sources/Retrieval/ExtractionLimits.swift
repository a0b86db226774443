/// What one file may turn into. Each bound is checked as the work goes (while inflating, while reading
/// a subprocess's output, before chunking), never from sizes a file declares about itself, so a small
/// upload cannot make the server inflate, hold or index without end. A file over a bound fails with
/// `invalid_file` and a message naming it.
public enum ExtractionLimits {
    /// The most a zip-based document (`.docx`) may inflate to, whatever its size.
    public static let maxUnpackedBytes = 64 << 20
    /// The most a zip-based document may inflate to per byte of its compressed part: text and XML
    /// compress about 5 to 20 times; zip bombs a thousand times and more. Below `ratioFloorBytes` of
    /// inflated output the ratio is not checked, so small files never trip it.
    public static let maxCompressionRatio = 100
    public static let ratioFloorBytes = 1 << 20
    /// The most text one file may give, in UTF-8 bytes: a plain-text file's size, or what an extractor
    /// (HTML, DOCX, PDF, JSON) produces.
    public static let maxTextBytes = 64 << 20
    /// The most a `.json` file may weigh: it is parsed whole into a tree, which takes about 30 times the
    /// file's size in memory (a 30 MB array of numbers took 850 MB).
    public static let maxJSONBytes = 8 << 20
    /// The most tokens one file may hold (as `TokenEstimator` counts them), OpenAI's limit per file.
    public static let maxTokens = 5_000_000

    static func mebibytes(_ bytes: Int) -> String { "\(bytes >> 20) MiB" }

    /// `5000000` as `5,000,000`.
    static func grouped(_ number: Int) -> String {
        var digits = String(number)
        var index = digits.endIndex
        while digits.distance(from: digits.startIndex, to: index) > 3 {
            index = digits.index(index, offsetBy: -3)
            digits.insert(",", at: index)
        }
        return digits
    }
}
