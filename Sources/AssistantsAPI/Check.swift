/// The contract's limits, with OpenAI's wording for each violation.
public enum Check {
    public static func length(_ value: String?, max: Int, param: String) throws(APIError) {
        guard let value else { return }
        let length = value.unicodeScalars.count
        guard length <= max else {
            throw .invalidRequest(
                "Invalid '\(param)': string too long. Expected a string with maximum length \(max), but got a string with length \(length) instead.",
                param: param, code: "string_above_max_length")
        }
    }

    public static func count(_ count: Int, max: Int, param: String) throws(APIError) {
        guard count <= max else {
            throw .invalidRequest(
                "Invalid '\(param)': array too long. Expected an array with maximum length \(max), but got an array with length \(count) instead.",
                param: param, code: "array_above_max_length")
        }
    }

    /// A function or response-format name: `^[a-zA-Z0-9_-]{1,64}$`.
    public static func name(_ name: String, param: String) throws(APIError) {
        let valid = (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F || byte == 0x2D
        }
        guard valid else {
            throw .invalidRequest(
                "Invalid '\(param)': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.",
                param: param, code: "invalid_value")
        }
    }

    public static func notEmpty(_ count: Int, param: String) throws(APIError) {
        guard count > 0 else {
            throw .invalidRequest(
                "Invalid '\(param)': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                param: param, code: "empty_array")
        }
    }

    public static func number(_ value: Double?, in range: ClosedRange<Double>, param: String) throws(APIError) {
        try bounded(value, in: range, param: param, kind: "decimal", show: format)
    }

    public static func integer(_ value: Int?, in range: ClosedRange<Int>, param: String) throws(APIError) {
        try bounded(value, in: range, param: param, kind: "integer", show: String.init)
    }

    private static func bounded<T: Comparable>(
        _ value: T?, in range: ClosedRange<T>, param: String, kind: String, show: (T) -> String
    ) throws(APIError) {
        guard let value else { return }
        if value < range.lowerBound {
            throw .invalidRequest(
                "Invalid '\(param)': \(kind) below minimum value. Expected a value >= \(show(range.lowerBound)), but got \(show(value)) instead.",
                param: param, code: "\(kind)_below_min_value")
        }
        if value > range.upperBound {
            throw .invalidRequest(
                "Invalid '\(param)': \(kind) above maximum value. Expected a value <= \(show(range.upperBound)), but got \(show(value)) instead.",
                param: param, code: "\(kind)_above_max_value")
        }
    }

    /// At most 16 pairs, keys up to 64 characters, values up to 512.
    public static func metadata(_ metadata: Metadata?, param: String) throws(APIError) {
        guard let metadata else { return }
        try keys(metadata.keys, param: param)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let valueLength = value.unicodeScalars.count
            guard valueLength <= 512 else {
                throw .invalidRequest(
                    "Invalid '\(param)': value of '\(key)' too long. Expected a string with maximum length 512, but got a string with length \(valueLength) instead.",
                    param: param, code: "string_above_max_length")
            }
        }
    }

    /// The keys of a metadata or attributes object: at most 16, each up to 64 characters.
    public static func keys(_ keys: some Collection<String>, param: String) throws(APIError) {
        guard keys.count <= 16 else {
            throw .invalidRequest(
                "Invalid '\(param)': too many properties. Expected an object with at most 16 properties, but got an object with \(keys.count) properties instead.",
                param: param, code: "object_above_max_properties")
        }
        if let key = keys.sorted().first(where: { $0.unicodeScalars.count > 64 }) {
            throw .invalidRequest(
                "Invalid '\(param)': key too long. Expected a key with maximum length 64, but got a key with length \(key.unicodeScalars.count) instead.",
                param: param, code: "string_above_max_length")
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// Up to 16 string pairs attached to an object.
public typealias Metadata = [String: String]
