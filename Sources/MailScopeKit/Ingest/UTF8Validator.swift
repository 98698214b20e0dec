/// Strict UTF-8 validation (no overlongs, no surrogates, nothing above U+10FFFF), with an
/// ASCII fast path: most log lines are pure ASCII.
enum UTF8Validator {
    /// Returns nil when valid, else the byte offset of the first invalid sequence.
    static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let n = bytes.count
        var i = 0
        // ASCII fast path, 8 bytes at a time.
        while i + 8 <= n {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n {
            let b0 = base[i]
            if b0 < 0x80 { i += 1; continue }
            let need: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: return i
            }
            guard i + need < n else { return i }   // the sequence runs past the end
            let b1 = base[i + 1]
            guard b1 >= lower, b1 <= upper else { return i }
            for k in stride(from: 2, through: need, by: 1) {
                let b = base[i + k]
                guard b >= 0x80, b <= 0xBF else { return i }
            }
            i += need + 1
        }
        return nil
    }
}
