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
/// buffer is appended to an unlinked temporary file. Once the file or chunk is read, `sealed()`
/// turns the keys into a read-only `SealedKeys`; finding repeats then reads one partition at a time
/// (from every chunk), so memory stays at the buffers plus one partition's table, whatever the
/// number of lines: about 2 MB per chunk and a few MB for the check.
struct BookingKeys: ~Copyable {
    /// Partitions are `fingerprint >> shift`.
    private let shift: UInt64
    let partitions: Int
    /// Buffer entries per partition (also the size of a spilled block).
    let perPartition: Int
    private let buffer: UnsafeMutablePointer<UInt64>
    private let counts: UnsafeMutablePointer<Int>
    /// Spilled blocks: partition and file offset (or index into `memory` when no file could be made).
    private var blocks: [SealedKeys.Block] = []
    /// The temporary file: -2 before the first block, -1 when none could be made or written.
    private var descriptor: Int32 = -2
    private var fileEnd = 0
    /// Blocks kept in memory after the temporary file could not be written.
    private var memory: [[UInt64]] = []

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
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        buffer.deallocate()
        counts.deallocate()
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
            spill(partition)
            counts[partition] = 0
        } else {
            counts[partition] = count + 1
        }
    }

    /// Appends the full buffer of `partition` to the temporary file; a file that cannot be made or
    /// written leaves the blocks in memory.
    private mutating func spill(_ partition: Int) {
        let block = UnsafeBufferPointer(start: buffer + partition * perPartition, count: perPartition)
        if descriptor == -2 { descriptor = Self.temporaryFile() }
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
                blocks.append(SealedKeys.Block(partition: partition, at: fileEnd))
                fileEnd += bytes
                return
            }
            // The file cannot take more: bring what it holds into memory and go on without it.
            var moved: [SealedKeys.Block] = []
            for written in blocks {
                memory.append(SealedKeys.readBlock(descriptor, at: written.at, count: perPartition))
                moved.append(SealedKeys.Block(partition: written.partition, at: memory.count - 1))
            }
            close(descriptor)
            descriptor = -1
            blocks = moved
        }
        memory.append(Array(block))
        blocks.append(SealedKeys.Block(partition: partition, at: memory.count - 1))
    }

    /// A new file in `$TMPDIR` (or /tmp), unlinked at once so nothing is left behind; -1 when none can be made.
    private static func temporaryFile() -> Int32 {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((directory + "/incentives-keys-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if descriptor >= 0 { template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) } }
        return descriptor
    }

    /// Every fingerprint added, read-only from now on; the temporary file goes with it.
    consuming func sealed() -> SealedKeys {
        let pending = (0..<partitions).map { Array(UnsafeBufferPointer(start: buffer + $0 * perPartition, count: counts[$0])) }
        let file = descriptor
        descriptor = -1
        return SealedKeys(
            partitions: partitions, perPartition: perPartition, descriptor: file, blocks: blocks, memory: memory, pending: pending)
    }

    /// Fingerprints seen more than once across `sets` (all made with the same number of
    /// partitions), partitions checked on every core unless `workers` is 1.
    static func repeated(_ sets: [SealedKeys], workers: Int) -> Set<UInt64> {
        guard let partitions = sets.first?.partitions else { return [] }
        let found = parallelMap(partitions, parallel: workers > 1) { partition -> [UInt64] in
            var values: [UInt64] = []
            for set in sets { set.fingerprints(of: partition, into: &values) }
            var seen = FingerprintSet(capacity: values.count)
            var repeats: [UInt64] = []
            for value in values where !seen.insert(value) { repeats.append(value) }
            return repeats
        }
        var result: Set<UInt64> = []
        for repeats in found { result.formUnion(repeats) }
        return result
    }
}

/// The fingerprints of one file or chunk once read: nothing changes them, so any thread may read them.
final class SealedKeys: Sendable {
    /// A spilled block: its partition, and its offset in the file (or index into `memory`).
    struct Block: Sendable {
        let partition: Int
        let at: Int
    }

    let partitions: Int
    let perPartition: Int
    /// The temporary file holding the blocks, -1 when they are in `memory`.
    private let descriptor: Int32
    private let blocks: [Block]
    private let memory: [[UInt64]]
    /// Per partition, the fingerprints not spilled.
    private let pending: [[UInt64]]

    init(partitions: Int, perPartition: Int, descriptor: Int32, blocks: [Block], memory: [[UInt64]], pending: [[UInt64]]) {
        self.partitions = partitions
        self.perPartition = perPartition
        self.descriptor = descriptor
        self.blocks = blocks
        self.memory = memory
        self.pending = pending
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Every fingerprint of `partition`.
    func fingerprints(of partition: Int, into values: inout [UInt64]) {
        for block in blocks where block.partition == partition {
            values.append(contentsOf: descriptor < 0 ? memory[block.at] : Self.readBlock(descriptor, at: block.at, count: perPartition))
        }
        values.append(contentsOf: pending[partition])
    }

    /// `count` fingerprints at file offset `at` (`pread`: threads may read the same file at once).
    static func readBlock(_ descriptor: Int32, at: Int, count: Int) -> [UInt64] {
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
}
