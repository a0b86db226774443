import Foundation

/// Unix seconds, as every `created_at` is.
public func unixNow() -> Int { Int(Date().timeIntervalSince1970) }
