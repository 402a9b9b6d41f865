import Foundation
import GRDB
import IncentiveEngine

/// A result row's checks kept in the row itself (issue 16 point 4, docs/workspace.md "Checks in their row"),
/// migration `v19-checks-in-rows`: `run_rows.checks`, one blob per row instead of one `run_checks` row per check.
/// A run of 100,000 partners has some 770,000 checks; writing them as rows of their own was about 3 s of a full run.
///
/// The blob holds the row's checks in order, in one of two forms.
/// - **Facts** (runs stored since migration `v21-check-facts`): a 0 byte, then for each check its code (a byte), a
///   byte 1 when it passed and 0 when it failed, its reason (a varint, 0 for none, else the length plus one, then the
///   bytes) and the facts its explanation is worded from (`appendFacts`). Reading them back gives the checks with
///   their facts, so a stored run is worded as a computed one is (in English by `Check.Facts.text`, or in Dutch), and
///   the advice reads the same shortfalls and credential records. Words were 52.7 MB of the 65 MB of blobs of a
///   100,000-partner run.
/// - **Words** (runs stored before): for each check its code as text (a varint length, then the UTF-8 bytes, so never
///   a 0 first byte), the passed byte, the reason, and the English explanation (a varint length, then the bytes).
///
/// A row with no checks has NULL. A row copied by an incremental run has NULL too and names the row that holds its
/// checks in `checks_of`. Equal blobs hold the same checks; blobs that differ may still word the same (one of each
/// form), so two runs' checks are compared by their words (`wordsDiffer`) once their bytes differ.
enum CheckBlobs {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v19-checks-in-rows", foreignKeyChecks: .immediate) { db in
            try db.execute(sql: "ALTER TABLE run_rows ADD COLUMN checks BLOB")
            // The checks of runs stored before are written into their rows, in the same order. `run_checks` keeps its
            // rows as they were (nothing stored is deleted) and is no longer read or written.
            let update = try db.makeStatement(sql: "UPDATE run_rows SET checks = ? WHERE id = ?")
            var rowID: Int64? = nil
            var checks: [Check] = []
            func flush() throws {
                guard let id = rowID, !checks.isEmpty else { return }
                try update.execute(arguments: [encode(checks), id])
                checks.removeAll(keepingCapacity: true)
            }
            let rows = try Row.fetchCursor(
                db, sql: "SELECT row_id, code, passed, reason, explanation FROM run_checks ORDER BY row_id, position")
            while let row = try rows.next() {
                let id: Int64 = row[0]
                if id != rowID {
                    try flush()
                    rowID = id
                }
                let code: String = row[1]
                guard let checkCode = Check.Code(rawValue: code) else {
                    throw WorkspaceError(.damaged, "run_checks of row \(id) holds an unknown check code \(code)")
                }
                checks.append(Check(code: checkCode, passed: row[2], reason: row[3], explanation: row[4]))
            }
            try flush()
        }
    }

    /// Migration `v21-check-facts`: runs store their checks' facts, not their words (the second form of the blob,
    /// `append`). Nothing stored changes (the runs stored before keep their words, which `decode` reads as before); the
    /// migration marks the workspace, so that a version that cannot read facts refuses it as newer instead of finding
    /// its new runs damaged.
    static func registerFacts(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v21-check-facts", foreignKeyChecks: .immediate) { _ in }
    }

    /// The blob of `checks` in words (nil when there are none): the first form, which migration `v19-checks-in-rows`
    /// wrote for the runs stored before it.
    static func encode(_ checks: [Check]) -> Data? {
        if checks.isEmpty { return nil }
        var bytes: [UInt8] = []
        appendWords(checks, to: &bytes)
        return Data(bytes)
    }

    /// Appends the blob of `checks` in words (the first form) to `bytes`.
    static func appendWords(_ checks: [Check], to bytes: inout [UInt8]) {
        for check in checks {
            appendText(check.code.rawValue, to: &bytes)
            bytes.append(check.passed ? 1 : 0)
            appendReason(check.reason, to: &bytes)
            appendText(check.explanation, to: &bytes)
        }
    }

    /// The marker that begins a blob of facts (a blob in words begins with the length of a code, never 0).
    static let factsMarker: UInt8 = 0

    /// Appends the blob of `checks` as facts (the form runs store since `v21-check-facts`) to `bytes`: the marker,
    /// then for each check its code, outcome and reason, the kind of its facts and the facts (`appendFacts`). Nothing
    /// when there are no checks.
    static func append(_ checks: [Check], to bytes: inout [UInt8]) {
        if checks.isEmpty { return }
        bytes.append(factsMarker)
        for check in checks {
            bytes.append(codeByte(check.code))
            bytes.append(check.passed ? 1 : 0)
            appendReason(check.reason, to: &bytes)
            appendFacts(check.facts, to: &bytes)
        }
    }

    private static func codeByte(_ code: Check.Code) -> UInt8 {
        switch code {
        case .tier: 0
        case .csat: 1
        case .credential: 2
        case .volume: 3
        case .strategicService: 4
        }
    }

    private static func code(_ byte: UInt8) -> Check.Code? {
        switch byte {
        case 0: .tier
        case 1: .csat
        case 2: .credential
        case 3: .volume
        case 4: .strategicService
        default: nil
        }
    }

    private static func tierByte(_ tier: Tier) -> UInt8 {
        switch tier {
        case .gold: 0
        case .premier: 1
        case .select: 2
        case .registered: 3
        }
    }

    private static func tier(_ byte: UInt8) -> Tier? {
        switch byte {
        case 0: .gold
        case 1: .premier
        case 2: .select
        case 3: .registered
        default: nil
        }
    }

    /// The kinds of facts, a byte each.
    private enum Kind: UInt8 {
        case text, tier, csat, noCredentialsRequired, credential, anyCredential, volume, strategicService
    }

    /// Appends a check's facts: their kind, then
    /// - text: the words;
    /// - tier: the tier, and the eligible tiers as a byte of bits (bit n: the tier of byte n);
    /// - csat: the reports found, the number required, the period's first and last day;
    /// - credential: the id, the deadline, the knowledge-deadline rule, and the partner's records of that id (the
    ///   only ones the words and the advice read: `Check.Facts.records`), each its achieved day and expiry;
    /// - anyCredential: the ids, the deadline, the rule, and the partner's records of any of them, each the position
    ///   of its id in the list, its achieved day and expiry;
    /// - volume: the volume and the minimum in cents, the country, the currency, whether the minimum is the country's;
    /// - strategicService: the period, the partner's tier, and the strategic services overlapping the period (the
    ///   only ones the words read), each its name, first and last active day.
    /// Counts and lengths are varints; cents and days zigzag varints; a day that may be absent is 0 when it is, else
    /// one more than its zigzag; the partner of a credential or service is the row's.
    private static func appendFacts(_ facts: Check.Facts, to bytes: inout [UInt8]) {
        switch facts {
        case .text(let text):
            bytes.append(Kind.text.rawValue)
            appendText(text, to: &bytes)
        case .tier(let tier, let eligibleTiers):
            bytes.append(Kind.tier.rawValue)
            bytes.append(tierByte(tier))
            bytes.append(eligibleTiers.reduce(0) { $0 | 1 << tierByte($1) })
        case .csat(let found, let required, let period):
            bytes.append(Kind.csat.rawValue)
            appendVarint(UInt64(max(found, 0)), to: &bytes)
            appendVarint(UInt64(max(required, 0)), to: &bytes)
            appendDay(period.start, to: &bytes)
            appendDay(period.end, to: &bytes)
        case .noCredentialsRequired:
            bytes.append(Kind.noCredentialsRequired.rawValue)
        case .credential(let id, let held, let deadline, let rule):
            bytes.append(Kind.credential.rawValue)
            appendText(id, to: &bytes)
            appendDay(deadline, to: &bytes)
            bytes.append(rule == .enrollment ? 1 : 0)
            let records = held.filter { $0.credential.isExactly(id) }
            appendVarint(UInt64(records.count), to: &bytes)
            for record in records { appendRecord(record, to: &bytes) }
        case .anyCredential(let ids, let held, let deadline, let rule):
            bytes.append(Kind.anyCredential.rawValue)
            appendVarint(UInt64(ids.count), to: &bytes)
            for id in ids { appendText(id, to: &bytes) }
            appendDay(deadline, to: &bytes)
            bytes.append(rule == .enrollment ? 1 : 0)
            let records = held.compactMap { record in ids.firstIndex { record.credential.isExactly($0) }.map { (record, $0) } }
            appendVarint(UInt64(records.count), to: &bytes)
            for (record, position) in records {
                appendVarint(UInt64(position), to: &bytes)
                appendRecord(record, to: &bytes)
            }
        case .volume(let volume, let minimum, let country, let currency, let byCountry):
            bytes.append(Kind.volume.rawValue)
            appendSigned(volume.cents, to: &bytes)
            appendSigned(minimum.cents, to: &bytes)
            appendText(country, to: &bytes)
            appendText(currency, to: &bytes)
            bytes.append(byCountry ? 1 : 0)
        case .strategicService(let services, let period, let tier):
            bytes.append(Kind.strategicService.rawValue)
            appendDay(period.start, to: &bytes)
            appendDay(period.end, to: &bytes)
            bytes.append(tierByte(tier))
            let strategic = services.filter { $0.strategic && $0.overlaps(period) }
            appendVarint(UInt64(strategic.count), to: &bytes)
            for service in strategic {
                appendText(service.service, to: &bytes)
                appendDay(service.activeFrom, to: &bytes)
                appendOptionalDay(service.activeUntil, to: &bytes)
            }
        }
    }

    private static func appendRecord(_ record: Credential, to bytes: inout [UInt8]) {
        appendDay(record.achievedOn, to: &bytes)
        appendOptionalDay(record.expiresOn, to: &bytes)
    }

    private static func appendReason(_ reason: String?, to bytes: inout [UInt8]) {
        guard var reason else {
            bytes.append(0)
            return
        }
        reason.withUTF8 { text in
            appendVarint(UInt64(text.count) + 1, to: &bytes)
            bytes.append(contentsOf: text)
        }
    }

    private static func appendText(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count), to: &bytes)
            bytes.append(contentsOf: utf8)
        }
    }

    /// A signed value as an unsigned one, small either side of 0 (0, -1, 1, -2 … as 0, 1, 2, 3 …).
    private static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    fileprivate static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

    private static func appendSigned(_ value: Int64, to bytes: inout [UInt8]) { appendVarint(zigzag(value), to: &bytes) }

    private static func appendDay(_ day: Day, to bytes: inout [UInt8]) { appendSigned(Int64(day.daysSinceEpoch), to: &bytes) }

    private static func appendOptionalDay(_ day: Day?, to bytes: inout [UInt8]) {
        guard let day else {
            bytes.append(0)
            return
        }
        appendVarint(zigzag(Int64(day.daysSinceEpoch)) + 1, to: &bytes)
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// The checks in `blob` (nil: none), of either form; the facts' credentials and services are `partner`'s. With
    /// `failedOnly`, only the failed ones, without their explanations (the reasons a results CSV shows). A blob that
    /// does not decode is reported as a damaged workspace.
    static func decode(_ blob: UnsafeRawBufferPointer?, failedOnly: Bool = false, partner: String, row: Int64) throws -> [Check] {
        guard let blob, !blob.isEmpty else { return [] }
        var reader = Reader(bytes: blob)
        if blob[0] == factsMarker {
            reader.offset = 1
            return try decodeFacts(&reader, failedOnly: failedOnly, partner: partner, row: row)
        }
        var checks: [Check] = []
        while !reader.atEnd {
            guard let codeText = reader.text(), let code = Check.Code(rawValue: codeText), let passedByte = reader.byte(), passedByte <= 1,
                let reason = reader.reason()
            else { throw damaged(row) }
            let passed = passedByte == 1
            if failedOnly {
                guard reader.skipText() else { throw damaged(row) }
                if !passed { checks.append(Check(code: code, passed: passed, reason: reason, explanation: "")) }
            } else {
                guard let explanation = reader.text() else { throw damaged(row) }
                checks.append(Check(code: code, passed: passed, reason: reason, explanation: explanation))
            }
        }
        return checks
    }

    private static func decodeFacts(_ reader: inout Reader, failedOnly: Bool, partner: String, row: Int64) throws -> [Check] {
        var checks: [Check] = []
        while !reader.atEnd {
            guard let codeByte = reader.byte(), let code = code(codeByte), let passedByte = reader.byte(), passedByte <= 1,
                let reason = reader.reason(), let kindByte = reader.byte(), let kind = Kind(rawValue: kindByte)
            else { throw damaged(row) }
            let passed = passedByte == 1
            if failedOnly {
                guard skipFacts(kind, &reader) else { throw damaged(row) }
                if !passed { checks.append(Check(code: code, passed: passed, reason: reason, explanation: "")) }
            } else {
                guard let facts = facts(kind, &reader, partner: partner) else { throw damaged(row) }
                checks.append(Check(code: code, passed: passed, reason: reason, facts: facts))
            }
        }
        return checks
    }

    private static func facts(_ kind: Kind, _ reader: inout Reader, partner: String) -> Check.Facts? {
        switch kind {
        case .text:
            return reader.text().map { .text($0) }
        case .tier:
            guard let tierByte = reader.byte(), let tier = tier(tierByte), let bits = reader.byte(), bits < 16 else { return nil }
            return .tier(tier: tier, eligibleTiers: Set(Tier.allCases.filter { bits & 1 << self.tierByte($0) != 0 }))
        case .csat:
            guard let found = reader.varint(), found <= Int.max, let required = reader.varint(), required <= Int.max,
                let start = reader.day(), let end = reader.day()
            else { return nil }
            return .csat(found: Int(found), required: Int(required), period: DayRange(start: start, end: end))
        case .noCredentialsRequired:
            return .noCredentialsRequired
        case .credential:
            guard let id = reader.text(), let deadline = reader.day(), let ruleByte = reader.byte(), ruleByte <= 1, let count = reader.count()
            else { return nil }
            var held: [Credential] = []
            for _ in 0..<count {
                guard let (achieved, expiry) = reader.record() else { return nil }
                held.append(Credential(partnerID: partner, credential: id, achievedOn: achieved, expiresOn: expiry))
            }
            return .credential(id: id, held: held, deadline: deadline, rule: ruleByte == 1 ? .enrollment : .periodEnd)
        case .anyCredential:
            guard let idCount = reader.count() else { return nil }
            var ids: [String] = []
            for _ in 0..<idCount {
                guard let id = reader.text() else { return nil }
                ids.append(id)
            }
            guard let deadline = reader.day(), let ruleByte = reader.byte(), ruleByte <= 1, let count = reader.count() else { return nil }
            var held: [Credential] = []
            for _ in 0..<count {
                guard let position = reader.varint(), position < UInt64(ids.count), let (achieved, expiry) = reader.record() else { return nil }
                held.append(Credential(partnerID: partner, credential: ids[Int(position)], achievedOn: achieved, expiresOn: expiry))
            }
            return .anyCredential(ids: ids, held: held, deadline: deadline, rule: ruleByte == 1 ? .enrollment : .periodEnd)
        case .volume:
            guard let volume = reader.signed(), let minimum = reader.signed(), let country = reader.text(), let currency = reader.text(),
                let byCountry = reader.byte(), byCountry <= 1
            else { return nil }
            return .volume(volume: Money(cents: volume), minimum: Money(cents: minimum), country: country, currency: currency, byCountry: byCountry == 1)
        case .strategicService:
            guard let start = reader.day(), let end = reader.day(), let tierByte = reader.byte(), let tier = tier(tierByte), let count = reader.count()
            else { return nil }
            var services: [PoweredService] = []
            for _ in 0..<count {
                guard let name = reader.text(), let from = reader.day(), let until = reader.optionalDay() else { return nil }
                services.append(PoweredService(partnerID: partner, service: name, strategic: true, activeFrom: from, activeUntil: until))
            }
            return .strategicService(services: services, period: DayRange(start: start, end: end), tier: tier)
        }
    }

    /// Steps over a check's facts (false: they do not decode).
    private static func skipFacts(_ kind: Kind, _ reader: inout Reader) -> Bool {
        switch kind {
        case .text: return reader.skipText()
        case .tier: return reader.byte() != nil && reader.byte() != nil
        case .csat: return reader.varint() != nil && reader.varint() != nil && reader.day() != nil && reader.day() != nil
        case .noCredentialsRequired: return true
        case .credential:
            guard reader.skipText(), reader.day() != nil, reader.byte() != nil, let count = reader.count() else { return false }
            return (0..<count).allSatisfy { _ in reader.record() != nil }
        case .anyCredential:
            guard let idCount = reader.count(), (0..<idCount).allSatisfy({ _ in reader.skipText() }), reader.day() != nil, reader.byte() != nil,
                let count = reader.count()
            else { return false }
            return (0..<count).allSatisfy { _ in reader.varint() != nil && reader.record() != nil }
        case .volume:
            return reader.signed() != nil && reader.signed() != nil && reader.skipText() && reader.skipText() && reader.byte() != nil
        case .strategicService:
            guard reader.day() != nil, reader.day() != nil, reader.byte() != nil, let count = reader.count() else { return false }
            return (0..<count).allSatisfy { _ in reader.skipText() && reader.day() != nil && reader.optionalDay() != nil }
        }
    }

    /// Whether two blobs hold checks worded differently (byte for byte equal blobs hold the same checks; blobs that
    /// differ may still word the same: one in words and one of facts, or facts the words do not show). A blob that
    /// does not decode differs from every other.
    static func wordsDiffer(_ a: Data?, _ b: Data?) -> Bool {
        let (a, b) = (a.flatMap { $0.isEmpty ? nil : $0 }, b.flatMap { $0.isEmpty ? nil : $0 })
        switch (a, b) {
        case (nil, nil): return false
        case (nil, _), (_, nil): return true
        case (let a?, let b?):
            if a == b { return false }
            let checks = { (blob: Data) in try? blob.withUnsafeBytes { try decode($0, partner: "", row: 0) } }
            guard let first = checks(a), let second = checks(b) else { return true }
            return first != second
        }
    }

    /// SQL function `checks_words_differ(a, b)`, 1 when the blobs' checks are worded differently (`wordsDiffer`):
    /// how `Workspace.partnerChanges` compares the checks of two runs' rows, as `diffRuns` compares decoded checks.
    static func wordsDifferFunction() -> DatabaseFunction {
        DatabaseFunction("checks_words_differ", argumentCount: 2, pure: true) { values in
            wordsDiffer(Data.fromDatabaseValue(values[0]), Data.fromDatabaseValue(values[1]))
        }
    }

    private static func damaged(_ row: Int64) -> WorkspaceError {
        WorkspaceError(.damaged, "the checks of result row \(row) do not decode")
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while shift < 64, let byte = byte() {
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }

        mutating func text(length: UInt64) -> String? {
            guard length <= UInt64(bytes.count - offset) else { return nil }
            let end = offset + Int(length)
            defer { offset = end }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
        }

        mutating func text() -> String? {
            guard let length = varint() else { return nil }
            return text(length: length)
        }

        mutating func skipText() -> Bool {
            guard let length = varint(), length <= UInt64(bytes.count - offset) else { return false }
            offset += Int(length)
            return true
        }

        /// A reason: nil for none (0), else the text (its length plus one, then the bytes); `.some(nil)` is none.
        mutating func reason() -> String?? {
            guard let length = varint() else { return nil }
            if length == 0 { return .some(nil) }
            guard let text = text(length: length - 1) else { return nil }
            return .some(text)
        }

        /// A count of things that each take at least one byte (larger than the bytes left: nil).
        mutating func count() -> Int? {
            guard let count = varint(), count <= UInt64(bytes.count - offset) else { return nil }
            return Int(count)
        }

        mutating func signed() -> Int64? {
            varint().map(CheckBlobs.unzigzag)
        }

        mutating func day() -> Day? {
            guard let value = signed(), let days = Int32(exactly: value) else { return nil }
            return Day(daysSinceEpoch: days)
        }

        /// A day that may be absent: `.some(nil)` when it is.
        mutating func optionalDay() -> Day?? {
            guard let value = varint() else { return nil }
            if value == 0 { return .some(nil) }
            guard let days = Int32(exactly: CheckBlobs.unzigzag(value - 1)) else { return nil }
            return .some(Day(daysSinceEpoch: days))
        }

        /// A credential record: its achieved day and expiry.
        mutating func record() -> (Day, Day?)? {
            guard let achieved = day(), let expiry = optionalDay() else { return nil }
            return (achieved, expiry)
        }
    }
}
