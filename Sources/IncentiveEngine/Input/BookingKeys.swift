import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fingerprints of the booking keys (`order_id`, `line`) of one file or one chunk of it, kept
/// to find keys that repeat without holding one entry per line in memory.
///
/// Fingerprints are partitioned by their top bits. Each partition has a small buffer; a full
/// buffer is appended to an unlinked temporary file. Finding repeats then reads one partition
/// at a time (from every chunk), so memory stays at the buffers plus one partition's table,
/// whatever the number of lines: about 2 MB per chunk and a few MB for the check.
struct BookingKeys {
    /// Partitions are `fingerprint >> shift`.
    private let shift: UInt64
    let partitions: Int
    /// Buffer entries per partition (also the size of a spilled block).
    let perPartition: Int
    private let buffer: UnsafeMutablePointer<UInt64>
    private let counts: UnsafeMutablePointer<Int>
    private let spill: Spill

    /// Where full buffers go, and the one object that owns the memory (freed when the last copy goes).
    final class Spill {
        let buffer: UnsafeMutablePointer<UInt64>
        let counts: UnsafeMutablePointer<Int>
        /// Spilled blocks: partition and file offset (or index into `memory` when no file could be made).
        var blocks: [(partition: Int, at: Int)] = []
        var descriptor: Int32 = -2
        var fileEnd = 0
        /// Blocks kept in memory after the temporary file could not be written.
        var memory: [[UInt64]] = []

        init(buffer: UnsafeMutablePointer<UInt64>, counts: UnsafeMutablePointer<Int>) {
            self.buffer = buffer
            self.counts = counts
        }

        deinit {
            if descriptor >= 0 { close(descriptor) }
            buffer.deallocate()
            counts.deallocate()
        }

        /// Appends a block; a file that cannot be made or written leaves the blocks in memory.
        func write(_ block: UnsafeBufferPointer<UInt64>, partition: Int) {
            if descriptor == -2 { descriptor = Spill.temporaryFile() }
            if descriptor >= 0 {
                let bytes = block.count * 8
                var done = 0
                while done < bytes {
                    let count = pwrite(descriptor, UnsafeRawPointer(block.baseAddress!) + done, bytes - done, off_t(fileEnd + done))
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    done += count
                }
                if done == bytes {
                    blocks.append((partition, fileEnd))
                    fileEnd += bytes
                    return
                }
                // The file cannot take more: bring what it holds into memory and go on without it.
                var moved: [(partition: Int, at: Int)] = []
                for (blockPartition, at) in blocks {
                    memory.append(readBlock(at: at, count: block.count))
                    moved.append((blockPartition, memory.count - 1))
                }
                close(descriptor)
                descriptor = -1
                blocks = moved
            }
            memory.append(Array(block))
            blocks.append((partition, memory.count - 1))
        }

        func readBlock(at: Int, count: Int) -> [UInt64] {
            if descriptor < 0 { return memory[at] }
            var values = [UInt64](repeating: 0, count: count)
            let bytes = count * 8
            values.withUnsafeMutableBytes { raw in
                var done = 0
                while done < bytes {
                    let read = pread(descriptor, raw.baseAddress! + done, bytes - done, off_t(at + done))
                    if read < 0 && errno == EINTR { continue }
                    if read <= 0 { break }
                    done += read
                }
            }
            return values
        }

        /// A new file in `$TMPDIR` (or /tmp), unlinked at once so nothing is left behind; -1 when none can be made.
        static func temporaryFile() -> Int32 {
            let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
            var template = Array((directory + "/incentives-keys-XXXXXX").utf8CString)
            let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            if descriptor >= 0 { template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) } }
            return descriptor
        }
    }

    /// - Parameters:
    ///   - partitions: a power of two; see `partitions(forBytes:)`.
    ///   - bufferEntries: fingerprints held in memory over all partitions.
    init(partitions: Int, bufferEntries: Int = 1 << 18) {
        precondition(partitions > 0 && partitions & (partitions - 1) == 0)
        self.partitions = partitions
        shift = UInt64(64 - partitions.trailingZeroBitCount)
        perPartition = max(64, bufferEntries / partitions)
        buffer = .allocate(capacity: partitions * perPartition)
        counts = .allocate(capacity: partitions)
        counts.initialize(repeating: 0, count: partitions)
        spill = Spill(buffer: buffer, counts: counts)
    }

    /// Enough partitions for a file of `bytes` that each holds at most about 128 Ki fingerprints.
    static func partitions(forBytes bytes: Int) -> Int {
        let expectedLines = bytes / 32
        var partitions = 1
        while partitions < 4096 && expectedLines / partitions > 1 << 17 { partitions <<= 1 }
        return partitions
    }

    @inline(__always)
    mutating func add(_ fingerprint: UInt64) {
        let partition = shift == 64 ? 0 : Int(truncatingIfNeeded: fingerprint >> shift)
        let count = counts[partition]
        buffer[partition * perPartition + count] = fingerprint
        if count + 1 == perPartition {
            spill.write(UnsafeBufferPointer(start: buffer + partition * perPartition, count: perPartition), partition: partition)
            counts[partition] = 0
        } else {
            counts[partition] = count + 1
        }
    }

    /// Every fingerprint of `partition`.
    func fingerprints(of partition: Int, into values: inout [UInt64]) {
        for block in spill.blocks where block.partition == partition {
            values.append(contentsOf: spill.readBlock(at: block.at, count: perPartition))
        }
        values.append(contentsOf: UnsafeBufferPointer(start: buffer + partition * perPartition, count: counts[partition]))
    }

    /// Fingerprints seen more than once across `sets` (all made with the same number of
    /// partitions), partitions checked `workers` at a time.
    static func repeated(_ sets: [BookingKeys], workers: Int) -> Set<UInt64> {
        guard let partitions = sets.first?.partitions else { return [] }
        let found = UnsafeMutableBufferPointer<[UInt64]>.allocate(capacity: partitions)
        found.initialize(repeating: [])
        defer {
            // The arrays the buffer holds are released before its memory.
            _ = found.deinitialize()
            found.deallocate()
        }
        let work = { (partition: Int) in
            var values: [UInt64] = []
            for set in sets { set.fingerprints(of: partition, into: &values) }
            var seen = FingerprintSet(capacity: values.count)
            var repeats: [UInt64] = []
            for value in values where !seen.insert(value) { repeats.append(value) }
            found[partition] = repeats
        }
        if workers > 1 && partitions > 1 {
            concurrently(partitions, work)
        } else {
            for partition in 0..<partitions { work(partition) }
        }
        var result: Set<UInt64> = []
        for repeats in found { result.formUnion(repeats) }
        return result
    }
}
