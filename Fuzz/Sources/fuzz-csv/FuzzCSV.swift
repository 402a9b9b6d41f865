import FuzzSupport
import IncentiveEngine

// libFuzzer target: the CSV reader (Sources/IncentiveEngine/Input/CSVReader.swift).
//
// The input is a CSV file. Besides not crashing, the reader must
// - read the same records, lines and problems whatever the size of the chunks it reads at a time,
//   and from memory as from a file;
// - hand out fields trimmed of spaces and tabs, on strictly increasing lines;
// - read back exactly the same header and fields from a file written from what it read (every field
//   quoted, quotes doubled), when the input had no syntax problem;
// - keep every message short (`FUZZ_MESSAGE_LIMIT`).

struct Record: Equatable {
    var line: Int
    var fields: [[UInt8]]
    var problem: String?
}

struct Reading: Equatable {
    var header: [String] = []
    var records: [Record] = []
    var linesRead = 0
    /// The problem that stopped the reader (`file:line: message`).
    var failure: String?
}

func read(_ make: () throws(DiagnosticReport) -> CSVReader) -> Reading {
    var reading = Reading()
    let reader: CSVReader
    do {
        reader = try make()
    } catch {
        reading.failure = error.description
        Fuzz.checkMessages(error.collector, "header")
        return reading
    }
    reading.header = reader.header
    var lastLine = 0
    while true {
        let more: Bool
        do {
            more = try reader.next()
        } catch {
            reading.failure = error.description
            Fuzz.checkMessages(error.collector, "record")
            break
        }
        guard more else { break }
        let record = reader.record
        Fuzz.check(record.count >= 1, "a record with no field on line \(reader.recordLine)")
        Fuzz.check(reader.recordLine > lastLine, "record line \(reader.recordLine) after line \(lastLine)")
        lastLine = reader.recordLine
        var fields: [[UInt8]] = []
        for index in 0..<record.count {
            let field = Array(record[index])
            if let first = field.first, let last = field.last {
                Fuzz.check(
                    first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09,
                    "field \(index) of line \(reader.recordLine) is not trimmed: \(field)")
            }
            fields.append(field)
        }
        // Past the last field: empty.
        Fuzz.check(record[record.count].isEmpty, "a field past the end of line \(reader.recordLine) is not empty")
        reading.records.append(Record(line: reader.recordLine, fields: fields, problem: reader.recordProblem))
    }
    reading.linesRead = reader.linesRead
    Fuzz.check(reading.linesRead >= lastLine, "lines read \(reading.linesRead) before the last record's line \(lastLine)")
    return reading
}

/// The records written back as CSV: every field quoted, quotes doubled, `\n` line ends.
func write(_ reading: Reading) -> [UInt8] {
    var bytes: [UInt8] = []
    func field(_ value: [UInt8]) {
        bytes.append(0x22)
        for byte in value {
            bytes.append(byte)
            if byte == 0x22 { bytes.append(0x22) }
        }
        bytes.append(0x22)
    }
    func line(_ fields: [[UInt8]]) {
        for (index, value) in fields.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            field(value)
        }
        bytes.append(0x0A)
    }
    line(reading.header.map { Array($0.utf8) })
    for record in reading.records { line(record.fields) }
    return bytes
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let hash = Fuzz.hash(bytes)
    let whole = read { () throws(DiagnosticReport) in try CSVReader(bytes: bytes, file: "input.csv") }
    let chunk = [1, 2, 3, 5, 8, 13, 64][Int(hash % 7)]
    let small = read { () throws(DiagnosticReport) in try CSVReader(bytes: bytes, file: "input.csv", chunkSize: chunk) }
    Fuzz.check(whole == small, "reading in chunks of \(chunk) bytes differs:\n\(whole)\n\(small)")
    Fuzz.writeScratch(bytes)
    let file = read { () throws(DiagnosticReport) in
        try CSVReader(path: Fuzz.scratchPath, displayName: "input.csv", chunkSize: [1, 7, 4096][Int(hash / 7 % 3)])
    }
    Fuzz.check(whole == file, "reading from a file differs:\n\(whole)\n\(file)")

    if whole.failure == nil && whole.records.allSatisfy({ $0.problem == nil }) {
        let again = read { () throws(DiagnosticReport) in try CSVReader(bytes: write(whole), file: "input.csv") }
        Fuzz.check(again.failure == nil, "the written copy does not read: \(again.failure ?? "")")
        Fuzz.check(again.header == whole.header, "the written copy has another header: \(whole.header) then \(again.header)")
        Fuzz.check(
            again.records.map(\.fields) == whole.records.map(\.fields),
            "the written copy has other fields:\n\(whole.records.map(\.fields))\n\(again.records.map(\.fields))")
    }
    return 0
}
