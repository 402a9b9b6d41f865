import Foundation
import IncentiveEngine

// Synthetic dataset generator (formats.md §1 and §2; with `rules: .v2` also §5).
//
// What `DatasetGenerator(partners:lines:seed:).write(to: dir)` produces (`rules: .v1`, the default;
// `rules: .v2` is described at the end):
//
// * `programs/`: three fixed program definitions (they do not depend on the seed), all in USD:
//   - `gen-vip-6m.yaml`  GEN-VIP-6M, 2015-01-25..2015-07-25, booked_on, tiers gold/premier/select,
//     10 CSATs, deadline period end. Subtracks data-center/ucs 6% (UCS-*, UCSD-*; any ADV-UCT;
//     min 75000, NL 57500), collaboration/voice 16% (CP-*; any ADV-COLLAB; min 50000),
//     security/core 7% (ASA-*, FPR-*; all MASTER-SEC; min 40000, GB 45000),
//     security/advanced 14% (ISE-*; all MASTER-SEC; min 30000).
//   - `gen-vip-3m.yaml`  GEN-VIP-3M, 2015-04-26..2015-07-25, counted by shipped_on, every tier,
//     5 CSATs, deadline = enrolment; same subtracks, other rates, thresholds about half the 6-month ones.
//   - `gen-mdf.yaml`     GEN-MDF, 2023-01-29..2023-07-29, every line counts until 2023-01-31, from
//     2023-02-01 only `managed_services`; gold 2% and premier 1.5% need a strategic service,
//     select 1% needs 50000 qualifying volume.
// * `data/`: partners, products, fx, credentials, csat, services, enrollments, bookings (all CSV, `\n`).
//
// Distribution (every draw comes from a SplitMix64 stream keyed by seed, file and partner, so the
// output is byte-identical for the same (partners, lines, seed), and a partner's attributes are
// the same in every file):
// * Partners `P000001`...: country US 28%, NL 14%, DE 10%, GB 10%, FR 8%, BE 7%, ES/IT/SE 6%, PL 5%;
//   tier gold 15%, premier 30%, select 35%, registered 20%; provider 55/45/40/12% by tier.
//   About every 13th name holds a comma, every 29th doubled quotes, some hold non-ASCII letters.
// * Each partner has a size weight (1..40, skewed small); `lines` is split over the partners in
//   proportion (exactly `lines` rows in total, partners may get none when lines < partners).
//   Each partner sells a random subset of the product families UCS, CP, security (ASA/FPR), ISE,
//   plus always some untracked products (Catalyst, ISR, Meraki, service contracts `CON-*`).
// * Line amounts are integer cents, sized so that the expected in-period volume of each
//   (partner, family) lands at threshold x factor, factor: 35% 0.90..1.10, 20% 0.60..0.90,
//   25% 1.10..2.00, 10% 0.05..0.60, 10% 2..6. With very many lines per partner the per-line
//   floor of 20.00 pushes volumes above the thresholds. Select providers get the same treatment
//   for MDF (qualifying volume around 50000), others a random MDF-era volume.
// * Orders of 1..8 lines (mostly 1-2): 40..70% (per partner) in the FY15 VIP window, the rest in
//   the FY23 MDF window; 85% of orders are dated inside the program period, 15% up to 50 days before
//   or after. shipped_on = booked_on + 0..45 days, empty on 4% of lines. 3% of lines are credits
//   (negative amount and quantity). US partners book in USD; the others book a per-partner share
//   (25..75%) of their orders in their home currency (EUR, GBP, SEK, PLN), the rest in USD
//   (overall about 70% USD). Amounts print as `1234`, `1234.00`, `1234.5` or `1234.56`.
// * intended_use in the MDF window: a per-provider share of orders tagged Managed Services in
//   varied spellings (`Managed Services`, `managed-services`, `MANAGED_SERVICES`,
//   `" managed services "`, ...), otherwise `resale`, `Internal Use` or empty. Every ~1009th
//   order id is written quoted.
// * fx.csv: EUR, GBP, SEK, PLN from 2014-01-01 with changes in 2015 and 2022/2023 (covers every date).
// * credentials: ADV-UCT, ADV-COLLAB, EXPRESS-FOUNDATION, MASTER-SEC, ADV-SEC, ADV-ENT, likelier
//   for gold and for the families a partner sells; achieved 70% before the period, 18% inside,
//   12% after; expiry 60% empty, 25% after, 9% before, 6% inside the period; a few renewals (two rows).
// * csat: per partner 0..14 reports inside the 6-month period (10% 0..6, 25% 7..9, 40% 10..11, 25% 12..14)
//   plus 0..3 outside; survey ids SV00000001...
// * services: most providers deliver 1..3 Cisco Powered Services, 55% strategic, some ended
//   before the MDF period.
// * enrollments: 75% of non-registered partners (15% of registered) in GEN-VIP-6M, mostly in the
//   subtracks they sell, a few in subtracks they do not; half of those also in GEN-VIP-3M.
//   Dates always on or before the period end, some late in the period.
//
// Rules v2 (`rules: .v2`, `incentives generate --rules v2`): the same partners, products, fx rates,
// credentials, CSAT surveys, services and enrolments (byte for byte), and:
// * `programs/`: the same three ids with the same dates, written with every key of formats.md §5,
//   the choices drawn from the seed (stream 9): `period` as a fiscal name (`FY15-H2`, `fy15-h2`,
//   `FY2015-H2`...; GEN-VIP-3M `FY15-Q4`, GEN-MDF `FY23-H2`), `max_rebate_percent: 25` (every percent
//   plus its largest bonus stays below), `full_credit_enrollment_until` 20..80 days after the 6-month
//   period starts (5..30 for the 3-month one). In each VIP program the four subtracks take, in a seeded
//   rotation, the four rate kinds (a plain `rebate_percent`; `rebate_percent` by tier with `default`,
//   `gold`, `premier`, sometimes `select`; `rebate_tiers` retroactive (written out in GEN-VIP-6M); `rebate_tiers`
//   with `tier_method: marginal`: 2..4 tiers, `from` steps of 30..90% of the minimum volume (half of it
//   for a base other than `all`), sometimes with cents) and the three bases (`all`, written out in
//   GEN-VIP-6M; `above_minimum`; `growth` with a `baseline` of FY15-H1 by name or by dates, FY15-Q3 or
//   FY15-H1 for GEN-VIP-3M). One subtrack per program, and others at random, has an `attach_bonus` (1..3
//   bands from 5..20% up, bonus 0.5..2% up, over `CON-*`, `ISE-*`, `CP-88*`, Catalyst/Meraki or `UCSD-*`
//   lines) and one a `cap` (0.7..2.5 times the rebate at the minimum volume). Products with dates:
//   data-center/ucs drops `UCSD-*` after an `until` date, collaboration/voice adds `CP-88*` from a `from`
//   date (sometimes until a later one), security/core sometimes ends `ASA-*` or claims `ISE-*` lines
//   until a date (later ones fall through to security/advanced), security/advanced sometimes takes
//   `ISE-*` from a date on. Dates lie inside the period (GEN-VIP-3M: from 20 days before it).
// * `data/tiers.csv`: about 35% of the partners have 1..3 tier changes (stream 8), 45% of them on a
//   program's last day, the day before or after, its first day or FY15-H1's last day, the others in
//   2013-2024; a tier is sometimes spelt with capitals (`Gold`, `PREMIER`).
// * `data/bookings.csv`: a quarter of the VIP-window orders fall in FY15-H1 (the growth baselines),
//   with a per-partner volume of 0.4..1.5 times the in-period one (stream 10); the other VIP orders are
//   4/3 as large, so the in-period volumes stay near the thresholds. 6% of the VIP-era orders are booked
//   on a day where a rule changes (an entry's `from` or `until`, the enrolment cut-off, a period's or
//   the baseline's first or last day) or the day before or after. Enrolments are those of v1: with the
//   cut-off, a third to a half of them are late.
// The speed is that of v1 (the choices are per order, not per line).

/// Writes a valid synthetic dataset and program definitions, deterministic for a seed.
public struct DatasetGenerator: Sendable {
    public var partners: Int
    public var lines: Int
    public var seed: UInt64
    public var rules: Rules

    /// Which program definitions to write: v1 (formats.md sections 1-4, the default) or v2 (also section 5).
    public enum Rules: String, Sendable, CaseIterable {
        case v1
        case v2
    }

    public init(partners: Int, lines: Int, seed: UInt64 = 1, rules: Rules = .v1) {
        self.partners = partners
        self.lines = lines
        self.seed = seed
        self.rules = rules
    }

    /// A problem while writing: bad arguments or an I/O error.
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Writes `directory/data/*.csv` (formats.md §1 layout) and `directory/programs/*.yaml` (§2). Creates folders as needed. Throws on I/O errors.
    public func write(to directory: String) throws {
        guard partners >= 1 else { throw WriteError(description: "partners must be at least 1 (got \(partners))") }
        guard lines >= 0 else { throw WriteError(description: "lines must not be negative (got \(lines))") }
        let dataDirectory = (directory as NSString).appendingPathComponent("data")
        let programsDirectory = (directory as NSString).appendingPathComponent("programs")
        for folder in [dataDirectory, programsDirectory] {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw WriteError(description: "cannot create folder \(folder): \(error.localizedDescription)")
            }
        }
        let plan = rules == .v2 ? V2Plan(seed: seed) : nil
        for (name, text) in plan?.files ?? Self.programFiles {
            let sink = try Sink(path: (programsDirectory as NSString).appendingPathComponent(name))
            try sink.text(text)
            try sink.close()
        }
        func path(_ name: String) -> String { (dataDirectory as NSString).appendingPathComponent(name) }
        try writePartners(path("partners.csv"))
        try writeProducts(path("products.csv"))
        try writeFX(path("fx.csv"))
        try writeCredentials(path("credentials.csv"))
        try writeCSAT(path("csat.csv"))
        try writeServices(path("services.csv"))
        try writeEnrollments(path("enrollments.csv"))
        if plan != nil { try writeTiers(path("tiers.csv")) }
        try writeBookings(path("bookings.csv"), plan: plan)
    }
}

// MARK: - Random numbers and calendar

extension DatasetGenerator {
    /// SplitMix64: tiny, fast, and the same on every platform.
    fileprivate struct RNG {
        var state: UInt64

        /// An independent stream for (seed, file, partner).
        init(seed: UInt64, stream: UInt64, index: Int) {
            state = RNG.mix(seed ^ RNG.mix(stream &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: index) &+ 0x632B_E59B_D9B4_E019))
        }

        static func mix(_ value: UInt64) -> UInt64 {
            var z = value
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        @inline(__always) mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return RNG.mix(state)
        }

        /// Uniform in 0..<n (n >= 1).
        @inline(__always) mutating func below(_ n: Int) -> Int {
            Int(truncatingIfNeeded: UInt64(n).multipliedFullWidth(by: next()).high)
        }

        /// Uniform in lo...hi.
        @inline(__always) mutating func range(_ lo: Int, _ hi: Int) -> Int { lo + below(hi - lo + 1) }

        /// True with probability perMille / 1000.
        @inline(__always) mutating func chance(_ perMille: Int) -> Bool { below(1000) < perMille }

        /// Index picked with the given relative weights.
        mutating func pick(_ weights: [Int]) -> Int {
            var roll = below(weights.reduce(0, +))
            for (index, weight) in weights.enumerated() {
                if roll < weight { return index }
                roll -= weight
            }
            return weights.count - 1
        }

        /// A factor in per mille that puts a volume near a threshold most of the time.
        mutating func thresholdFactor() -> Int {
            switch below(100) {
            case 0..<35: return range(900, 1100)
            case 35..<55: return range(600, 899)
            case 55..<80: return range(1101, 2000)
            case 80..<90: return range(50, 599)
            default: return range(2001, 6000)
            }
        }
    }

    /// Days since 1970-01-01, proleptic Gregorian (H. Hinnant's algorithms).
    fileprivate enum Cal {
        /// Days since 1970-01-01 of a real date (the engine's `Day` arithmetic).
        static func day(_ year: Int, _ month: Int, _ dayOfMonth: Int) -> Int {
            Int(Day(year: year, month: month, day: dayOfMonth)!.daysSinceEpoch)
        }

        static func civil(_ days: Int) -> (year: Int, month: Int, day: Int) {
            Day(daysSinceEpoch: Int32(days)).components
        }

        /// `YYYY-MM-DD` bytes for every day of the table range, 10 bytes each.
        static let tableStart = day(2000, 1, 1)
        static let tableDays = day(2040, 1, 1) - day(2000, 1, 1)
        static let table: [UInt8] = {
            var bytes = [UInt8]()
            bytes.reserveCapacity(tableDays * 10)
            for offset in 0..<tableDays {
                let (y, m, d) = civil(tableStart + offset)
                bytes += [
                    UInt8(48 + y / 1000), UInt8(48 + y / 100 % 10), UInt8(48 + y / 10 % 10), UInt8(48 + y % 10), 45,
                    UInt8(48 + m / 10), UInt8(48 + m % 10), 45, UInt8(48 + d / 10), UInt8(48 + d % 10),
                ]
            }
            return bytes
        }()

        static let vipStart = day(2015, 1, 25)
        static let vipEnd = day(2015, 7, 25)
        static let quarterStart = day(2015, 4, 26)
        static let mdfStart = day(2023, 1, 29)
        static let mdfEnd = day(2023, 7, 29)
        /// FY15-H1, the half before GEN-VIP-6M: the growth baselines of `--rules v2`.
        static let baselineStart = day(2014, 7, 27)
        static let baselineEnd = day(2015, 1, 24)
    }
}

// MARK: - Buffered byte writer

extension DatasetGenerator {
    /// Appends bytes to a 1 MiB buffer and writes it out with `fwrite` when full.
    /// The unchecked appends (`byte`, `lit`, `uint`, `money`, `date`, ...) need a `reserve` before.
    fileprivate final class Sink {
        static let capacity = 1 << 20
        let path: String
        private var file: UnsafeMutablePointer<FILE>?
        private let buffer: UnsafeMutablePointer<UInt8>
        /// Bytes in `buffer`: read and written for every byte appended, so not checked for exclusive access.
        @exclusivity(unchecked) private var count = 0
        private let dates: UnsafeMutablePointer<UInt8>

        init(path: String) throws {
            guard let file = fopen(path, "wb") else {
                throw WriteError(description: "cannot create \(path): \(String(cString: strerror(errno)))")
            }
            self.path = path
            self.file = file
            buffer = .allocate(capacity: Sink.capacity)
            let table = Cal.table
            dates = .allocate(capacity: table.count)
            dates.initialize(from: table, count: table.count)
        }

        deinit {
            if let file { fclose(file) }
            buffer.deallocate()
            dates.deallocate()
        }

        func flush() throws {
            guard count > 0, let file else { return }
            if fwrite(buffer, 1, count, file) != count {
                throw WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            count = 0
        }

        func close() throws {
            try flush()
            guard let file else { return }
            self.file = nil
            if fclose(file) != 0 {
                throw WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
        }

        @inline(__always) func reserve(_ n: Int) throws {
            if count &+ n > Sink.capacity { try flush() }
        }

        @inline(__always) func byte(_ value: UInt8) {
            buffer[count] = value
            count &+= 1
        }

        @inline(__always) func lit(_ text: StaticString) {
            let n = text.utf8CodeUnitCount
            (buffer + count).update(from: text.utf8Start, count: n)
            count &+= n
        }

        @inline(__always) func raw(_ start: UnsafePointer<UInt8>, _ n: Int) {
            (buffer + count).update(from: start, count: n)
            count &+= n
        }

        /// Any text, reserving room itself.
        func text(_ value: String) throws {
            var value = value
            try value.withUTF8 { utf8 in
                var rest = utf8
                while !rest.isEmpty {
                    try reserve(min(rest.count, Sink.capacity))
                    let n = min(rest.count, Sink.capacity - count)
                    raw(rest.baseAddress!, n)
                    rest = UnsafeBufferPointer(rebasing: rest[n...])
                }
            }
        }

        /// A CSV field, quoted (RFC 4180) when it holds a comma, quote, line break or outer space.
        func field(_ value: String) throws {
            let needsQuotes =
                value.utf8.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
                || value.utf8.first == 32 || value.utf8.last == 32
            if !needsQuotes { return try text(value) }
            try reserve(1)
            byte(34)
            try text(value.replacingOccurrences(of: "\"", with: "\"\""))
            try reserve(1)
            byte(34)
        }

        /// Decimal digits of `value`.
        @inline(__always) func uint(_ value: Int) {
            var digits = 1
            var rest = value
            while rest >= 10 {
                rest /= 10
                digits &+= 1
            }
            var position = count &+ digits &- 1
            rest = value
            repeat {
                buffer[position] = UInt8(truncatingIfNeeded: 48 &+ rest % 10)
                rest /= 10
                position &-= 1
            } while rest > 0
            count &+= digits
        }

        /// Zero-padded to at least `width` digits.
        @inline(__always) func padded(_ value: Int, width: Int) {
            var digits = 1
            var rest = value
            while rest >= 10 {
                rest /= 10
                digits &+= 1
            }
            var zeros = width - digits
            while zeros > 0 {
                byte(48)
                zeros -= 1
            }
            uint(value)
        }

        /// Cents as a decimal: `trim` drops a zero cent digit (`1234.5`) or zero cents (`1234`).
        @inline(__always) func money(_ cents: Int, trim: Bool) {
            if cents < 0 { byte(45) }
            let magnitude = cents.magnitude
            uint(Int(magnitude / 100))
            let fraction = Int(magnitude % 100)
            if trim {
                if fraction == 0 { return }
                if fraction % 10 == 0 {
                    byte(46)
                    byte(UInt8(48 + fraction / 10))
                    return
                }
            }
            byte(46)
            byte(UInt8(48 + fraction / 10))
            byte(UInt8(48 + fraction % 10))
        }

        /// `YYYY-MM-DD`.
        @inline(__always) func date(_ day: Int) {
            let offset = day - Cal.tableStart
            if offset >= 0 && offset < Cal.tableDays {
                raw(dates + offset * 10, 10)
            } else {
                let (y, m, d) = Cal.civil(day)
                padded(y, width: 4)
                byte(45)
                padded(m, width: 2)
                byte(45)
                padded(d, width: 2)
            }
        }

        @inline(__always) func partnerID(_ index: Int) {
            byte(80)  // P
            padded(index + 1, width: 6)
        }
    }
}

// MARK: - Reference data

extension DatasetGenerator {
    fileprivate struct Country: Sendable {
        let code: String
        let weight: Int
        let currency: Int  // index into `currencies`
        let legal: String
        let surnames: [String]
    }

    fileprivate static let countries: [Country] = [
        Country(code: "US", weight: 28, currency: 0, legal: "Inc.", surnames: ["Miller", "Johnson", "O'Brien", "Garcia", "Nguyen"]),
        Country(code: "NL", weight: 14, currency: 1, legal: "B.V.", surnames: ["Jansen", "de Vries", "van Dijk", "Bakker", "Visser"]),
        Country(code: "DE", weight: 10, currency: 1, legal: "GmbH", surnames: ["Müller", "Schröder", "Weiß", "Becker", "Hoffmann"]),
        Country(code: "GB", weight: 10, currency: 2, legal: "Ltd", surnames: ["Smith", "Taylor", "Davies", "Evans", "Wright"]),
        Country(code: "FR", weight: 8, currency: 1, legal: "SAS", surnames: ["Lefèvre", "Dubois", "Moreau", "Lambert", "Girard"]),
        Country(code: "BE", weight: 7, currency: 1, legal: "NV", surnames: ["Peeters", "Janssens", "Maes", "Claes", "Wouters"]),
        Country(code: "ES", weight: 6, currency: 1, legal: "S.L.", surnames: ["García", "Peña", "López", "Martínez", "Sánchez"]),
        Country(code: "IT", weight: 6, currency: 1, legal: "S.r.l.", surnames: ["Rossi", "Bianchi", "Esposito", "Romano", "Colombo"]),
        Country(code: "SE", weight: 6, currency: 3, legal: "AB", surnames: ["Åberg", "Lindqvist", "Johansson", "Ström", "Nyström"]),
        Country(code: "PL", weight: 5, currency: 4, legal: "Sp. z o.o.", surnames: ["Łukasiewicz", "Nowak", "Kowalski", "Wiśniewski", "Zając"]),
    ]
    fileprivate static let countryWeights = countries.map(\.weight)

    fileprivate static let tierNames: [StaticString] = ["gold", "premier", "select", "registered"]
    fileprivate static let currencyCodes: [StaticString] = ["USD", "EUR", "GBP", "SEK", "PLN"]

    /// (currency index, valid_from, rate in millionths: USD per unit).
    fileprivate static let fxRows: [(currency: Int, from: Int, micro: Int)] = {
        let table: [(Int, [(Int, Int, Int, Int)])] = [
            (
                1,
                [
                    (2014, 1, 1, 1_365_000), (2015, 1, 1, 1_210_000), (2015, 3, 15, 1_052_300), (2015, 6, 1, 1_098_700),
                    (2022, 1, 1, 1_137_000), (2023, 2, 1, 1_086_300), (2023, 5, 1, 1_101_725),
                ]
            ),
            (
                2,
                [
                    (2014, 1, 1, 1_645_000), (2015, 1, 1, 1_557_500), (2015, 3, 15, 1_483_000), (2015, 6, 1, 1_531_200),
                    (2022, 1, 1, 1_353_000), (2023, 2, 1, 1_234_000), (2023, 5, 1, 1_245_905),
                ]
            ),
            (
                3,
                [
                    (2014, 1, 1, 155_000), (2015, 1, 1, 128_500), (2015, 3, 15, 115_740), (2015, 6, 1, 119_800),
                    (2022, 1, 1, 110_620), (2023, 2, 1, 96_120), (2023, 5, 1, 97_311),
                ]
            ),
            (
                4,
                [
                    (2014, 1, 1, 328_000), (2015, 1, 1, 287_000), (2015, 3, 15, 251_200), (2015, 6, 1, 267_500),
                    (2022, 1, 1, 247_000), (2023, 2, 1, 229_841), (2023, 5, 1, 239_500),
                ]
            ),
        ]
        return table.flatMap { currency, rows in rows.map { (currency, Cal.day($0.0, $0.1, $0.2), $0.3) } }
    }()

    fileprivate struct Product: Sendable {
        let sku: String
        let description: String
        let family: String
    }

    /// Families: 0 UCS (data-center/ucs), 1 CP (collaboration/voice), 2 ASA/FPR (security/core),
    /// 3 ISE (security/advanced), 4 products in no subtrack.
    fileprivate static let catalog: [[Product]] = [
        [
            Product(sku: "UCS-B200-M4", description: "UCS B200 M4 blade server, no CPU/mem/HDD/mezz", family: "Data Center"),
            Product(sku: "UCS-C220-M4S", description: "UCS C220 M4 SFF rack server, no CPU/mem/HD/PCIe/PSU", family: "Data Center"),
            Product(sku: "UCS-C240-M4SX", description: "UCS C240 M4 SFF 24 HD rack server", family: "Data Center"),
            Product(sku: "UCS-FI-6248UP", description: "UCS 6248UP 1RU Fabric Interconnect, no PSU, 32 UP, 12p LIC", family: "Data Center"),
            Product(sku: "UCS-MR-1X162RV-A", description: "16GB DDR4-2133 \"RDIMM\", PC4-17000, dual rank, 1.2v", family: "Data Center"),
            Product(sku: "UCSD-STD-BASE", description: "UCS Director Standard Edition base license", family: "Data Center"),
        ],
        [
            Product(sku: "CP-7821-K9", description: "Cisco IP Phone 7821", family: "Collaboration"),
            Product(sku: "CP-7841-K9", description: "Cisco IP Phone 7841", family: "Collaboration"),
            Product(sku: "CP-8845-K9", description: "Cisco IP Phone 8845, \"video\" capable", family: "Collaboration"),
            Product(sku: "CP-8865-K9", description: "Cisco IP Phone 8865, video, Wi-Fi, Bluetooth", family: "Collaboration"),
            Product(sku: "CP-8832-K9", description: "Cisco IP Conference Phone 8832 base, no radio", family: "Collaboration"),
        ],
        [
            Product(sku: "ASA-5506-X-K9", description: "ASA 5506-X with FirePOWER services, 8GE, AC, 3DES/AES", family: "Security"),
            Product(sku: "ASA-5516-FPWR-K9", description: "ASA 5516-X with FirePOWER services, 8GE, AC", family: "Security"),
            Product(sku: "ASA-5525-X-K9", description: "ASA 5525-X with SW, 8GE Data, 1GE Mgmt, AC", family: "Security"),
            Product(sku: "FPR-2110-NGFW-K9", description: "Cisco Firepower 2110 NGFW Appliance, 1U", family: "Security"),
            Product(sku: "FPR-4110-NGFW-K9", description: "Cisco Firepower 4110 NGFW Appliance, 1U, 2 x NetMod Bays", family: "Security"),
        ],
        [
            Product(sku: "ISE-VM-K9", description: "Cisco Identity Services Engine virtual machine", family: "Security"),
            Product(sku: "ISE-PLS-LIC-100", description: "ISE Plus license, 100 endpoints", family: "Security"),
            Product(sku: "ISE-APX-3Y-500", description: "ISE Apex 3-year subscription, 500 endpoints", family: "Security"),
        ],
        [
            Product(sku: "C9300-48P-E", description: "Catalyst 9300 48-port PoE+, Network Essentials", family: "Enterprise Networking"),
            Product(
                sku: "WS-C2960X-48FPD-L", description: "Catalyst 2960-X 48 GigE PoE 740W, 2 x 10G SFP+, LAN Base", family: "Enterprise Networking"),
            Product(sku: "ISR4331-K9", description: "Cisco ISR 4331 (3GE,2NIM,1SM,4G FLASH,4G DRAM,IPB)", family: "Enterprise Networking"),
            Product(sku: "AIR-AP2802I-E-K9", description: "802.11ac W2 AP w/CA; 4x4:3; Int Ant; 2xGbE, E domain", family: "Wireless"),
            Product(sku: "MR46-HW", description: "Meraki MR46 Wi-Fi 6 indoor access point", family: "Meraki"),
            Product(sku: "CON-SNT-UCSB200", description: "SNTC-8X5XNBD UCS B200 M4 blade server, \"Smart Net Total Care\"", family: "Services"),
            Product(sku: "CON-SNT-CP8845", description: "SNTC-8X5XNBD Cisco IP Phone 8845", family: "Services"),
        ],
    ]

    /// Thresholds of GEN-VIP-6M in USD cents for family 0..3 and a country index.
    fileprivate static func threshold6M(family: Int, country: Int) -> Int {
        let code = countries[country].code
        switch family {
        case 0: return code == "NL" ? 5_750_000 : 7_500_000
        case 1: return 5_000_000
        case 2: return code == "GB" ? 4_500_000 : 4_000_000
        default: return 3_000_000
        }
    }

    fileprivate static let subtrackPaths = ["data-center/ucs", "collaboration/voice", "security/core", "security/advanced"]
}

// MARK: - Partner profile

extension DatasetGenerator {
    /// Everything the files need to agree on about one partner; a pure function of (seed, index).
    fileprivate struct Profile {
        var country = 0
        var tier = 0
        var provider = false
        /// Relative share of the booking lines.
        var weight = 1
        /// Relative weight of each product family in this partner's lines (0: does not sell it).
        var families = [Int](repeating: 0, count: 5)
        var familyTotal = 0
        /// Per family 0..3: VIP in-period volume target as per mille of the 6-month threshold.
        var vipFactor = [Int](repeating: 1000, count: 4)
        /// VIP-window volume target of the untracked family, cents.
        var otherVolume = 0
        /// MDF in-period volume target (all lines, USD cents).
        var mdfVolume = 0
        /// Per mille of orders in the VIP window (rest: MDF window).
        var vipShare = 550
        /// Per mille of MDF-window orders tagged Managed Services / tagged resale (of the rest).
        var tagShare = 0
        var resaleShare = 0
        /// Per mille of orders in the home currency.
        var homeShare = 0

        init(seed: UInt64, index: Int) {
            var r = RNG(seed: seed, stream: 1, index: index)
            country = r.pick(DatasetGenerator.countryWeights)
            tier = r.pick([15, 30, 35, 20])
            provider = r.chance([550, 450, 400, 120][tier])
            switch r.below(100) {
            case 0..<50: weight = r.range(1, 4)
            case 50..<85: weight = r.range(5, 12)
            default: weight = r.range(13, 40)
            }
            let active = [tier == 0 ? 750 : 550, 500, 450, 250]
            for family in 0..<4 where r.chance(active[family]) {
                families[family] = r.range(100, 400)
            }
            families[4] = r.range(50, 300)
            familyTotal = families.reduce(0, +)
            for family in 0..<4 { vipFactor[family] = r.thresholdFactor() }
            otherVolume = r.range(5_000, 150_000) * 100
            vipShare = r.range(400, 700)
            if provider {
                switch r.below(100) {
                case 0..<15: tagShare = 0
                case 15..<40: tagShare = r.range(200, 499)
                case 40..<80: tagShare = r.range(500, 899)
                default: tagShare = r.range(900, 1000)
                }
            } else {
                tagShare = r.below(60)
            }
            resaleShare = r.below(400)
            let factor = r.thresholdFactor()
            if provider && tier == 2 {
                // Qualifying volume (about volume x tagShare) around the select minimum of 50000.
                mdfVolume = 5_000_000 * factor / max(tagShare, 150)
            } else if provider {
                mdfVolume = r.range(20_000, 600_000) * 100
            } else {
                mdfVolume = r.range(10_000, 300_000) * 100
            }
            homeShare = DatasetGenerator.countries[country].currency == 0 ? 0 : r.range(250, 750)
        }
    }
}

// MARK: - Small files

extension DatasetGenerator {
    fileprivate static let namePrefixes = [
        "Acme", "Nordic", "Blue Wave", "Polder", "Alpine", "Redwood", "Atlas", "Vanguard", "Orion", "Keystone",
        "Lighthouse", "Meridian", "Northstar", "Summit", "Harbor", "Tulip", "Windmill", "Cobalt", "Granite", "Silverline",
        "Brightpath", "Crossroads", "Evergreen", "Falcon", "Horizon", "Ironbridge", "Juniper", "Kestrel", "Lakeside", "Mosaic",
    ]
    fileprivate static let nameCores = [
        "Networks", "IT Solutions", "Systems", "Integration", "Data", "Telecom", "Cloud Services", "ICT", "Infrastructure",
        "Communications",
    ]

    fileprivate func writePartners(_ path: String) throws {
        let sink = try Sink(path: path)
        sink.lit("partner_id,name,country,tier,provider\n")
        for index in 0..<partners {
            let profile = Profile(seed: seed, index: index)
            var r = RNG(seed: seed, stream: 2, index: index)
            let country = Self.countries[profile.country]
            let prefix = Self.namePrefixes[r.below(Self.namePrefixes.count)]
            let core = Self.nameCores[r.below(Self.nameCores.count)]
            let name: String
            if index % 13 == 5 {
                let first = country.surnames[r.below(country.surnames.count)]
                let second = country.surnames[r.below(country.surnames.count)]
                name = "\(first), \(second) & Partners \(country.legal)"
            } else if index % 29 == 7 {
                name = "\(prefix) \"\(core)\" \(country.legal)"
            } else if r.chance(150) {
                name = "\(country.surnames[r.below(country.surnames.count)]) \(core) \(country.legal)"
            } else {
                name = "\(prefix) \(core) \(country.legal)"
            }
            try sink.reserve(64)
            sink.partnerID(index)
            sink.byte(44)
            try sink.field(name)
            try sink.reserve(64)
            sink.byte(44)
            try sink.text(country.code)
            sink.byte(44)
            sink.lit(Self.tierNames[profile.tier])
            sink.lit(profile.provider ? ",true\n" : ",false\n")
        }
        try sink.close()
    }

    fileprivate func writeProducts(_ path: String) throws {
        let sink = try Sink(path: path)
        sink.lit("sku,description,family\n")
        for product in Self.catalog.joined() {
            try sink.text(product.sku)
            try sink.text(",")
            try sink.field(product.description)
            try sink.text(",")
            try sink.field(product.family)
            try sink.text("\n")
        }
        try sink.close()
    }

    fileprivate func writeFX(_ path: String) throws {
        let sink = try Sink(path: path)
        sink.lit("currency,valid_from,rate\n")
        for row in Self.fxRows {
            try sink.reserve(64)
            sink.lit(Self.currencyCodes[row.currency])
            sink.byte(44)
            sink.date(row.from)
            sink.byte(44)
            sink.uint(row.micro / 1_000_000)
            var fraction = row.micro % 1_000_000
            if fraction != 0 {
                var digits = 6
                while fraction % 10 == 0 {
                    fraction /= 10
                    digits -= 1
                }
                sink.byte(46)
                sink.padded(fraction, width: digits)
            }
            sink.byte(10)
        }
        try sink.close()
    }

    fileprivate func writeCredentials(_ path: String) throws {
        let sink = try Sink(path: path)
        sink.lit("partner_id,credential,achieved_on,expires_on\n")
        let names: [StaticString] = ["ADV-UCT", "ADV-COLLAB", "EXPRESS-FOUNDATION", "MASTER-SEC", "ADV-SEC", "ADV-ENT"]
        for index in 0..<partners {
            let p = Profile(seed: seed, index: index)
            var r = RNG(seed: seed, stream: 3, index: index)
            let security = p.families[2] > 0 || p.families[3] > 0
            let odds = [
                p.families[0] > 0 ? [960, 880, 700, 200][p.tier] : 80,
                p.families[1] > 0 ? [920, 800, 600, 150][p.tier] : 60,
                [150, 450, 450, 200][p.tier],
                security ? [900, 700, 500, 100][p.tier] : 40,
                p.families[2] > 0 ? 250 : 30,
                [500, 300, 150, 50][p.tier],
            ]
            for (credential, odd) in zip(names, odds) where r.chance(odd) {
                let achieved: Int
                switch r.below(100) {
                case 0..<70: achieved = r.range(Cal.day(2011, 1, 1), Cal.vipStart - 1)
                case 70..<88: achieved = r.range(Cal.vipStart, Cal.vipEnd)
                case 88..<94: achieved = r.range(Cal.vipEnd + 1, Cal.day(2016, 3, 31))
                default: achieved = r.range(Cal.day(2020, 1, 1), Cal.day(2023, 6, 30))
                }
                var expires: Int?
                switch r.below(100) {
                case 0..<60: expires = nil
                case 60..<85: expires = max(achieved, Cal.vipEnd) + r.range(1, 1000)
                case 85..<94: expires = max(achieved, r.range(Cal.day(2014, 1, 1), Cal.vipStart - 1))
                default: expires = max(achieved, r.range(Cal.vipStart, Cal.vipEnd - 1))
                }
                try sink.reserve(128)
                sink.partnerID(index)
                sink.byte(44)
                sink.lit(credential)
                sink.byte(44)
                sink.date(achieved)
                sink.byte(44)
                if let expires { sink.date(expires) }
                sink.byte(10)
                if let expires, expires < Cal.vipEnd, r.chance(300) {
                    // Renewed later: a second row for the same credential.
                    sink.partnerID(index)
                    sink.byte(44)
                    sink.lit(credential)
                    sink.byte(44)
                    sink.date(expires + r.range(1, 90))
                    sink.lit(",\n")
                }
            }
        }
        try sink.close()
    }

    fileprivate func writeCSAT(_ path: String) throws {
        let sink = try Sink(path: path)
        sink.lit("partner_id,survey_id,submitted_on\n")
        var survey = 0
        for index in 0..<partners {
            let p = Profile(seed: seed, index: index)
            var r = RNG(seed: seed, stream: 4, index: index)
            var inside: Int
            switch r.below(100) {
            case 0..<10: inside = r.range(0, 6)
            case 10..<35: inside = r.range(7, 9)
            case 35..<75: inside = r.range(10, 11)
            default: inside = r.range(12, 14)
            }
            if p.tier == 3 && r.chance(600) { inside = r.range(0, 4) }
            let outside = r.range(0, 3)
            for report in 0..<(inside + outside) {
                let day: Int
                if report < inside {
                    day = r.range(Cal.vipStart, Cal.vipEnd)
                } else if r.chance(500) {
                    day = r.range(Cal.vipStart - 90, Cal.vipStart - 1)
                } else {
                    day = r.range(Cal.vipEnd + 1, Cal.vipEnd + 60)
                }
                survey += 1
                try sink.reserve(64)
                sink.partnerID(index)
                sink.lit(",SV")
                sink.padded(survey, width: 8)
                sink.byte(44)
                sink.date(day)
                sink.byte(10)
            }
        }
        try sink.close()
    }

    fileprivate static let serviceNames = [
        "Cisco Powered Managed Firewall", "Cisco Powered Hosted Collaboration (HCS)", "Cisco Powered Intelligent WAN",
        "Cisco Powered Managed SD-WAN", "Cisco Powered Webex Calling", "Cisco Powered Managed Security, SOC",
        "Cisco Powered Cloud Contact Center", "Cisco Powered Managed Wi-Fi",
    ]

    fileprivate func writeServices(_ path: String) throws {
        let sink = try Sink(path: path)
        sink.lit("partner_id,service,strategic,active_from,active_until\n")
        for index in 0..<partners {
            let p = Profile(seed: seed, index: index)
            var r = RNG(seed: seed, stream: 5, index: index)
            let count: Int
            if p.provider {
                switch r.below(100) {
                case 0..<20: count = 0
                case 20..<65: count = 1
                case 65..<90: count = 2
                default: count = 3
                }
            } else {
                count = r.chance(50) ? 1 : 0
            }
            let first = r.below(Self.serviceNames.count)
            for number in 0..<count {
                let from = r.range(Cal.day(2018, 1, 1), Cal.day(2023, 6, 30))
                var until: Int?
                switch r.below(100) {
                case 0..<60: until = nil
                case 60..<80: until = max(from, min(from + r.range(90, 1000), Cal.mdfStart - 1 - r.below(200)))
                default: until = max(from, Cal.mdfStart + r.below(400))
                }
                try sink.reserve(64)
                sink.partnerID(index)
                sink.byte(44)
                try sink.field(Self.serviceNames[(first + number) % Self.serviceNames.count])
                try sink.reserve(64)
                sink.lit(r.chance(550) ? ",true," : ",false,")
                sink.date(from)
                sink.byte(44)
                if let until { sink.date(until) }
                sink.byte(10)
            }
        }
        try sink.close()
    }

    fileprivate func writeEnrollments(_ path: String) throws {
        let sink = try Sink(path: path)
        sink.lit("partner_id,program,subtrack,enrolled_on\n")
        for index in 0..<partners {
            let p = Profile(seed: seed, index: index)
            var r = RNG(seed: seed, stream: 6, index: index)
            func subtracks() -> [Int] {
                var chosen = (0..<4).filter { r.chance(p.families[$0] > 0 ? 850 : 70) }
                if chosen.isEmpty { chosen = [(0..<4).first { p.families[$0] > 0 } ?? 0] }
                return chosen
            }
            func emit(_ program: StaticString, _ chosen: [Int], _ day: Int) throws {
                for subtrack in chosen {
                    try sink.reserve(96)
                    sink.partnerID(index)
                    sink.byte(44)
                    sink.lit(program)
                    sink.byte(44)
                    try sink.text(Self.subtrackPaths[subtrack])
                    sink.byte(44)
                    sink.date(day)
                    sink.byte(10)
                }
            }
            let sixMonths = r.chance(p.tier == 3 ? 150 : 750)
            if sixMonths {
                let day = r.chance(880) ? Cal.vipStart - 25 + r.below(120) : r.range(Cal.vipStart + 120, Cal.vipEnd)
                try emit("GEN-VIP-6M", subtracks(), day)
            }
            if r.chance(sixMonths ? 500 : 100) {
                let day = r.chance(850) ? Cal.quarterStart - 20 + r.below(60) : r.range(Cal.quarterStart + 40, Cal.vipEnd)
                try emit("GEN-VIP-3M", subtracks(), day)
            }
        }
        try sink.close()
    }
}

// MARK: - Tier history (rules v2)

extension DatasetGenerator {
    /// `tiers.csv` (formats.md 5.5): about a third of the partners have one to three tier changes,
    /// some on, the day before or the day after a program's last day, the others anywhere in 2013-2024.
    fileprivate func writeTiers(_ path: String) throws {
        let sink = try Sink(path: path)
        sink.lit("partner_id,tier,valid_from\n")
        let edges = [
            Cal.vipEnd - 1, Cal.vipEnd, Cal.vipEnd + 1, Cal.vipStart, Cal.mdfEnd - 1, Cal.mdfEnd, Cal.mdfEnd + 1, Cal.baselineEnd,
        ]
        let spellings: [StaticString] = ["Gold", "PREMIER", "Select", "Registered"]
        for index in 0..<partners {
            var r = RNG(seed: seed, stream: 8, index: index)
            guard r.chance(350) else { continue }
            var days: [Int] = []
            for _ in 0..<r.range(1, 3) {
                let day = r.chance(450) ? edges[r.below(edges.count)] : r.range(Cal.day(2013, 1, 1), Cal.day(2024, 12, 31))
                if !days.contains(day) { days.append(day) }
            }
            for day in days.sorted() {
                let tier = r.below(4)
                try sink.reserve(64)
                sink.partnerID(index)
                sink.byte(44)
                sink.lit(r.chance(50) ? spellings[tier] : Self.tierNames[tier])
                sink.byte(44)
                sink.date(day)
                sink.byte(10)
            }
        }
        try sink.close()
    }
}

// MARK: - Bookings

extension DatasetGenerator {
    fileprivate func writeBookings(_ path: String, plan: V2Plan?) throws {
        let sink = try Sink(path: path)
        sink.lit("order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n")

        // SKU bytes, flat, by family.
        let products = Self.catalog.map { $0.map { Array($0.sku.utf8) } }
        let flat = products.flatMap { $0.flatMap { $0 } }
        let skuBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(flat.count, 1))
        defer { skuBytes.deallocate() }
        skuBytes.initialize(from: flat, count: flat.count)
        var skuStart: [[Int]] = []
        var skuLength: [[Int]] = []
        var offset = 0
        for family in products {
            skuStart.append(
                family.map { sku in
                    defer { offset += sku.count }; return offset
                })
            skuLength.append(family.map(\.count))
        }
        // Rates by currency: parallel (from, micro) lists, ascending.
        var rateFrom = [[Int]](repeating: [], count: Self.currencyCodes.count)
        var rateMicro = [[Int]](repeating: [], count: Self.currencyCodes.count)
        for row in Self.fxRows {
            rateFrom[row.currency].append(row.from)
            rateMicro[row.currency].append(row.micro)
        }

        var totalWeight = 0
        for index in 0..<partners { totalWeight += Profile(seed: seed, index: index).weight }

        var cumulative = 0
        var assigned = 0
        var order = 0
        // Window 2 (rules v2 only): FY15-H1, where the growth baselines are measured.
        let windows = [(Cal.vipStart, Cal.vipEnd), (Cal.mdfStart, Cal.mdfEnd), (Cal.baselineStart, Cal.baselineEnd)]
        for index in 0..<partners {
            let p = Profile(seed: seed, index: index)
            cumulative += p.weight
            let product = UInt64(lines).multipliedFullWidth(by: UInt64(cumulative))
            let upTo = Int(UInt64(totalWeight).dividingFullWidth(product).quotient)
            let count = upTo - assigned
            assigned = upTo
            if count == 0 { continue }
            var r = RNG(seed: seed, stream: 7, index: index)

            // Mean line amount (USD cents) per window and family, so that the expected in-period
            // volume hits the target: 85% of orders are in-period, credits take about 4.5% off.
            let n = min(count, 1_000_000_000)
            var mean = [[Int]](repeating: [Int](repeating: 0, count: 5), count: 3)
            // Rules v2: a quarter of the VIP-window orders move to the baseline window (so the others are
            // larger by 4/3), with a volume of about `growth` per mille of the in-period one: 0.6375 of the
            // VIP orders are in the period, 0.2125 in the baseline window, hence the factor 3.
            var growthRandom = RNG(seed: seed, stream: 10, index: index)
            let growth = plan == nil ? 0 : growthRandom.range(400, 1500)
            for family in 0..<5 where p.families[family] > 0 {
                let target =
                    family < 4
                    ? Self.threshold6M(family: family, country: p.country) * p.vipFactor[family] / 1000
                    : p.otherVolume
                let expected = n * p.vipShare * p.families[family] * 850 / (p.familyTotal * 1000)
                mean[0][family] = target * 1000 / max(expected, 1000) * 1000 / 955
                let expectedMDF = n * (1000 - p.vipShare) * 850 / 1000
                mean[1][family] = p.mdfVolume * 1000 / max(expectedMDF, 1000) * 1000 / 955
                if plan != nil {
                    mean[0][family] = mean[0][family] * 4 / 3
                    mean[2][family] = mean[0][family] * growth / 1000 * 3
                }
            }
            for window in 0..<3 {
                for family in 0..<5 { mean[window][family] = min(max(mean[window][family], 2000), 500_000_000) }
            }
            let home = Self.countries[p.country].currency

            var remaining = count
            while remaining > 0 {
                var size: Int
                switch r.below(100) {
                case 0..<45: size = 1
                case 45..<70: size = 2
                case 70..<85: size = 3
                case 85..<95: size = 4
                default: size = r.range(5, 8)
                }
                size = min(size, remaining)
                remaining -= size
                order += 1

                var window = r.chance(p.vipShare) ? 0 : 1
                if plan != nil, window == 0, r.chance(250) { window = 2 }
                let (start, end) = windows[window]
                var booked: Int
                switch r.below(100) {
                case 0..<85: booked = r.range(start, end)
                case 85..<92: booked = start - 1 - r.below(50)
                default: booked = end + 1 + r.below(50)
                }
                // Rules v2: some VIP-era orders on a day where a rule changes (an entry's first or last
                // day, the enrolment cut-off, a period's or baseline's ends) or the day before or after.
                if let plan, window != 1, r.chance(60) { booked = plan.edgeDays[r.below(plan.edgeDays.count)] }
                let currency = home != 0 && r.chance(p.homeShare) ? home : 0
                var rate = 1_000_000
                if currency != 0 {
                    let froms = rateFrom[currency]
                    rate = rateMicro[currency][0]
                    for (position, from) in froms.enumerated() where from <= booked { rate = rateMicro[currency][position] }
                }
                // Intended use, one tag per order: 0 none, 1...7 managed services spellings, 8...10 resale, 11...12 other.
                var tag = 0
                if window == 1 {
                    if r.chance(p.tagShare) {
                        tag = 1 + r.pick([30, 15, 15, 12, 10, 8, 10])
                    } else if r.chance(p.resaleShare) {
                        tag = 8 + r.pick([70, 20, 10])
                    } else if r.chance(30) {
                        tag = 11 + r.below(2)
                    }
                } else {
                    let roll = r.below(1000)
                    if roll < 40 { tag = 8 } else if roll < 60 { tag = 1 + r.below(7) } else if roll < 70 { tag = 11 + r.below(2) }
                }
                let quoteOrder = order % 1009 == 0

                for line in 1...size {
                    var family = r.below(p.familyTotal)
                    for candidate in 0..<5 {
                        if family < p.families[candidate] {
                            family = candidate
                            break
                        }
                        family -= p.families[candidate]
                    }
                    let sku = r.below(skuStart[family].count)
                    var quantity = r.range(1, 12)
                    var usd = mean[window][family] * r.range(300, 1700) / 1000
                    let credit = r.chance(30)
                    if credit {
                        usd = -(usd / 2)
                        quantity = -quantity
                    }
                    var cents = currency == 0 ? usd : usd * 1_000_000 / rate
                    let style = r.below(20)
                    var trim = false
                    switch style {
                    case 0..<4:
                        cents = cents / 100 * 100
                        trim = true
                    case 4: cents = cents / 100 * 100
                    case 5, 6:
                        cents = cents / 10 * 10
                        trim = true
                    default: break
                    }
                    if cents == 0 { cents = credit ? -100 : 100 }
                    let shipped = r.chance(40) ? -1 : booked + (r.chance(700) ? r.range(2, 20) : r.range(0, 45))

                    try sink.reserve(256)
                    if quoteOrder { sink.byte(34) }
                    sink.lit("SO")
                    sink.padded(order, width: 9)
                    if quoteOrder { sink.byte(34) }
                    sink.byte(44)
                    sink.uint(line)
                    sink.byte(44)
                    sink.partnerID(index)
                    sink.byte(44)
                    sink.date(booked)
                    sink.byte(44)
                    if shipped >= 0 { sink.date(shipped) }
                    sink.byte(44)
                    sink.raw(skuBytes + skuStart[family][sku], skuLength[family][sku])
                    sink.byte(44)
                    if quantity < 0 { sink.byte(45) }
                    sink.uint(abs(quantity))
                    sink.byte(44)
                    sink.money(cents, trim: trim)
                    sink.byte(44)
                    sink.lit(Self.currencyCodes[currency])
                    switch tag {
                    case 1: sink.lit(",Managed Services\n")
                    case 2: sink.lit(",managed_services\n")
                    case 3: sink.lit(",managed-services\n")
                    case 4: sink.lit(",MANAGED_SERVICES\n")
                    case 5: sink.lit(",\" managed services \"\n")
                    case 6: sink.lit(",Managed-Services\n")
                    case 7: sink.lit(",\"Managed Services\"\n")
                    case 8: sink.lit(",resale\n")
                    case 9: sink.lit(",Resale\n")
                    case 10: sink.lit(",RESALE\n")
                    case 11: sink.lit(",Internal Use\n")
                    case 12: sink.lit(",demo\n")
                    default: sink.lit(",\n")
                    }
                }
            }
        }
        try sink.close()
    }
}

// MARK: - Programs

extension DatasetGenerator {
    fileprivate static let programFiles: [(String, String)] = [
        (
            "gen-vip-6m.yaml",
            """
            # Synthetic program written by DatasetGenerator.
            id: GEN-VIP-6M
            kind: vip
            name: Generated VIP, 6-month period (FY15 H2)
            currency: USD
            period: {start: 2015-01-25, end: 2015-07-25}
            count_bookings_by: booked_on
            max_rebate_percent: 20
            eligible_tiers: [gold, premier, select]
            csat_required: 10
            knowledge_deadline: period_end
            tracks:
              - id: data-center
                name: Data Center
                subtracks:
                  - id: ucs
                    name: Unified Computing System
                    rebate_percent: 6
                    products: ["UCS-*", "UCSD-*"]
                    requires_any: [ADV-UCT]
                    minimum_volume: {default: 75000, NL: 57500}
              - id: collaboration
                name: Collaboration
                subtracks:
                  - id: voice
                    name: Voice and video endpoints
                    rebate_percent: 16
                    products: ["CP-*"]
                    requires_any: [ADV-COLLAB]
                    minimum_volume: {default: 50000}
              - id: security
                name: Security
                subtracks:
                  - id: core
                    name: Core security
                    rebate_percent: 7
                    products: ["ASA-*", "FPR-*"]
                    requires_all: [MASTER-SEC]
                    minimum_volume: {default: 40000, GB: 45000}
                  - id: advanced
                    name: Advanced security
                    rebate_percent: 14
                    products: ["ISE-*"]
                    requires_all: [MASTER-SEC]
                    minimum_volume: 30000

            """
        ),
        (
            "gen-vip-3m.yaml",
            """
            # Synthetic program written by DatasetGenerator.
            id: GEN-VIP-3M
            kind: vip
            name: Generated VIP, 3-month period (FY15 Q4)
            currency: USD
            period: {start: 2015-04-26, end: 2015-07-25}
            count_bookings_by: shipped_on
            csat_required: 5
            knowledge_deadline: enrollment
            tracks:
              - id: data-center
                name: Data Center
                subtracks:
                  - id: ucs
                    name: Unified Computing System
                    rebate_percent: 4.5
                    products: ["UCS-*", "UCSD-*"]
                    requires_any: [ADV-UCT]
                    minimum_volume: {default: 37500, NL: 28750}
              - id: collaboration
                name: Collaboration
                subtracks:
                  - id: voice
                    name: Voice and video endpoints
                    rebate_percent: 12.75
                    products: ["CP-*"]
                    requires_any: [ADV-COLLAB]
                    minimum_volume: {default: 25000}
              - id: security
                name: Security
                subtracks:
                  - id: core
                    name: Core security
                    rebate_percent: 7
                    products: ["ASA-*", "FPR-*"]
                    requires_all: [MASTER-SEC]
                    minimum_volume: {default: 20000, GB: 22500}
                  - id: advanced
                    name: Advanced security
                    rebate_percent: 10.125
                    products: ["ISE-*"]
                    requires_all: [MASTER-SEC]
                    requires_any: [ADV-SEC, ADV-ENT]
                    minimum_volume: 15000

            """
        ),
        (
            "gen-mdf.yaml",
            """
            # Synthetic program written by DatasetGenerator.
            id: GEN-MDF
            kind: mdf
            name: Generated Partner Provider MDF, FY23 H2
            currency: USD
            period: {start: 2023-01-29, end: 2023-07-29}
            count_bookings_by: booked_on
            intended_use_rules:
              - {counts: any}
              - {from: 2023-02-01, counts: [managed_services]}
            tiers:
              gold:    {accrual_percent: 2,   minimum_volume: 0,     requires_strategic_service: true}
              premier: {accrual_percent: 1.5, minimum_volume: 0,     requires_strategic_service: true}
              select:  {accrual_percent: 1,   minimum_volume: 50000}

            """
        ),
    ]
}

// MARK: - Programs, rules v2

extension DatasetGenerator {
    /// The seeded choices of `--rules v2` (see the header comment): the three program files and the
    /// booking days worth hitting. A pure function of the seed.
    fileprivate struct V2Plan {
        var files: [(String, String)] = []
        /// Days where a rule changes, and the days around them, sorted, each once.
        var edgeDays: [Int] = []

        /// A subtrack of the generated VIP programs, with its v1 checks.
        struct Subtrack {
            let track: String
            let trackName: String
            let id: String
            let name: String
            /// The lines of its credential keys in GEN-VIP-6M and in GEN-VIP-3M.
            let credentials6M: [String]
            let credentials3M: [String]
            let minimum6M: String
            let minimum3M: String
            /// The default minimum volume of GEN-VIP-6M, whole dollars (GEN-VIP-3M: half).
            let minimumDollars: Int
        }

        static let subtracks: [Subtrack] = [
            Subtrack(
                track: "data-center", trackName: "Data Center", id: "ucs", name: "Unified Computing System",
                credentials6M: ["requires_any: [ADV-UCT]"], credentials3M: ["requires_any: [ADV-UCT]"],
                minimum6M: "{default: 75000, NL: 57500}", minimum3M: "{default: 37500, NL: 28750}", minimumDollars: 75_000),
            Subtrack(
                track: "collaboration", trackName: "Collaboration", id: "voice", name: "Voice and video endpoints",
                credentials6M: ["requires_any: [ADV-COLLAB]"], credentials3M: ["requires_any: [ADV-COLLAB]"],
                minimum6M: "{default: 50000}", minimum3M: "{default: 25000}", minimumDollars: 50_000),
            Subtrack(
                track: "security", trackName: "Security", id: "core", name: "Core security",
                credentials6M: ["requires_all: [MASTER-SEC]"], credentials3M: ["requires_all: [MASTER-SEC]"],
                minimum6M: "{default: 40000, GB: 45000}", minimum3M: "{default: 20000, GB: 22500}", minimumDollars: 40_000),
            Subtrack(
                track: "security", trackName: "Security", id: "advanced", name: "Advanced security",
                credentials6M: ["requires_all: [MASTER-SEC]"], credentials3M: ["requires_all: [MASTER-SEC]", "requires_any: [ADV-SEC, ADV-ENT]"],
                minimum6M: "30000", minimum3M: "15000", minimumDollars: 30_000),
        ]

        static let attachProducts = [
            #"["CON-*"]"#, #"["CON-SNT-*", "ISE-*"]"#, #"["ISE-*"]"#, #"["C9300-*", "MR46-HW"]"#, #"["CP-88*"]"#, #"["UCSD-*", "CON-*"]"#,
        ]

        init(seed: UInt64) {
            var r = RNG(seed: seed, stream: 9, index: 0)
            var edges: [Int] = []
            let header = "# Synthetic program written by DatasetGenerator (rules v2, seed \(seed)).\n"
            files.append(("gen-vip-6m.yaml", header + Self.vip(&r, sixMonths: true, edges: &edges)))
            files.append(("gen-vip-3m.yaml", header + Self.vip(&r, sixMonths: false, edges: &edges)))
            let mdfPeriod = ["FY23-H2", "FY2023-H2", "fy23-h2"][r.below(3)]
            files.append(
                (
                    "gen-mdf.yaml",
                    header + """
                        id: GEN-MDF
                        kind: mdf
                        name: Generated Partner Provider MDF, FY23 H2, rules v2
                        currency: USD
                        period: \(mdfPeriod)
                        count_bookings_by: booked_on
                        intended_use_rules:
                          - {counts: any}
                          - {from: 2023-02-01, counts: [managed_services]}
                        tiers:
                          gold:    {accrual_percent: 2,   minimum_volume: 0,     requires_strategic_service: true}
                          premier: {accrual_percent: 1.5, minimum_volume: 0,     requires_strategic_service: true}
                          select:  {accrual_percent: 1,   minimum_volume: 50000}

                        """
                ))
            for day in edges.sorted() where edgeDays.last != day { edgeDays.append(day) }
        }

        /// GEN-VIP-6M (FY15-H2, counted by booked_on) or GEN-VIP-3M (FY15-Q4, counted by shipped_on).
        static func vip(_ r: inout RNG, sixMonths: Bool, edges: inout [Int]) -> String {
            let start = sixMonths ? Cal.vipStart : Cal.quarterStart
            let end = Cal.vipEnd
            let fullCredit = start + (sixMonths ? r.range(20, 80) : r.range(5, 30))
            edges += [start - 1, start, end, end + 1, fullCredit, fullCredit + 1]
            if sixMonths { edges += [Cal.baselineStart - 1, Cal.baselineStart] }
            let period = (sixMonths ? ["FY15-H2", "fy15-h2", "FY2015-H2", "Fy15-H2"] : ["FY15-Q4", "FY2015-Q4", "fy15-q4"])
            let baselines =
                sixMonths
                ? ["{period: FY15-H1}", "{period: fy2015-h1}", "{period: {start: 2014-07-27, end: 2015-01-24}}"]
                : ["{period: FY15-Q3}", "{period: FY15-H1}", "{period: {start: 2015-01-25, end: 2015-04-25}}"]
            var text = """
                id: GEN-VIP-\(sixMonths ? "6M" : "3M")
                kind: vip
                name: Generated VIP, \(sixMonths ? "6-month period (FY15 H2)" : "3-month period (FY15 Q4)"), rules v2
                currency: USD
                period: \(period[r.below(period.count)])
                count_bookings_by: \(sixMonths ? "booked_on" : "shipped_on")
                max_rebate_percent: 25
                \(sixMonths ? "eligible_tiers: [gold, premier, select]\n" : "")csat_required: \(sixMonths ? 10 : 5)
                knowledge_deadline: \(sixMonths ? "period_end" : "enrollment")
                full_credit_enrollment_until: \(date(fullCredit))
                tracks:

                """
            // Offsets so that each program has every rate kind, every base, an attach bonus and a cap.
            let kindOffset = r.below(4)
            let baseOffset = r.below(3)
            let attachAt = r.below(4)
            let capAt = r.below(4)
            func day() -> Int {
                let chosen = sixMonths ? r.range(start + 10, end - 10) : r.range(start - 20, end - 10)
                edges += [chosen - 1, chosen, chosen + 1]
                return chosen
            }
            for (index, subtrack) in subtracks.enumerated() {
                if index == 0 || subtracks[index - 1].track != subtrack.track {
                    text += "  - id: \(subtrack.track)\n    name: \(subtrack.trackName)\n    subtracks:\n"
                }
                var keys = ["- id: \(subtrack.id)", "  name: \(subtrack.name)"]
                let minimum = sixMonths ? subtrack.minimumDollars : subtrack.minimumDollars / 2
                let base = (baseOffset + index) % 3  // 0 all, 1 above_minimum, 2 growth
                let scale = base == 0 ? minimum : minimum / 2
                var top = 0  // the largest percent, hundredths
                switch (kindOffset + index) % 4 {
                case 0:
                    top = r.range(100, 1200)
                    keys.append("  rebate_percent: \(number(top, decimals: 2))")
                case 1:
                    let standard = r.range(100, 1000)
                    let gold = standard + r.range(25, 300)
                    let premier = standard + r.range(0, 150)
                    top = gold
                    let select = r.chance(400) ? ", select: \(number(standard + r.range(0, 50), decimals: 2))" : ""
                    keys.append(
                        "  rebate_percent: {default: \(number(standard, decimals: 2)), gold: \(number(gold, decimals: 2)), "
                            + "premier: \(number(premier, decimals: 2))\(select)}")
                case let kind:
                    var percent = r.range(100, 500)
                    var from = 0
                    var tiers = ["{from: 0, percent: \(number(percent, decimals: 2))}"]
                    for _ in 1..<r.range(2, 4) {
                        from += max(500, scale * r.range(300, 900) / 1000 / 500 * 500)
                        percent += r.range(25, 300)
                        tiers.append("{from: \(from)\(r.chance(150) ? ".5" : ""), percent: \(number(percent, decimals: 2))}")
                    }
                    top = percent
                    keys.append("  rebate_tiers: [\(tiers.joined(separator: ", "))]")
                    if kind == 3 {
                        keys.append("  tier_method: marginal")
                    } else if sixMonths || r.chance(500) {
                        keys.append("  tier_method: retroactive")
                    }
                }
                switch base {
                case 1: keys.append("  rebate_base: above_minimum")
                case 2: keys += ["  rebate_base: growth", "  baseline: \(baselines[r.below(baselines.count)])"]
                default: if sixMonths || r.chance(500) { keys.append("  rebate_base: all") }
                }
                if index == attachAt || r.chance(450) {
                    var from = r.range(5, 20)
                    var bonus = r.range(50, 200)
                    var bands: [String] = []
                    for band in 0..<r.range(1, 3) {
                        if band > 0 {
                            from += r.range(5, 25)
                            bonus += r.range(25, 150)
                        }
                        bands.append("{from_percent: \(from)\(r.chance(200) ? ".5" : ""), percent: \(number(bonus, decimals: 2))}")
                    }
                    keys.append(
                        "  attach_bonus: {products: \(attachProducts[r.below(attachProducts.count)]), bands: [\(bands.joined(separator: ", "))]}")
                }
                if index == capAt || r.chance(300) {
                    let cap = max(1, minimum * top / 10_000 * r.range(700, 2500) / 1000)
                    keys.append("  cap: \(cap)\(r.chance(200) ? ".50" : "")")
                }
                switch index {
                case 0:  // a SKU family dropped with a transition window
                    keys.append(#"  products: ["UCS-*", {sku: "UCSD-*", until: \#(date(day()))}]"#)
                case 1:  // a SKU family added during the period, sometimes only for a while
                    let from = day()
                    let until = r.chance(300) ? ", until: \(date(max(from, day())))" : ""
                    keys.append(#"  products: ["CP-78*", {sku: "CP-88*", from: \#(date(from))\#(until)}]"#)
                case 2:
                    switch r.below(3) {
                    case 0: keys.append(#"  products: ["ASA-*", "FPR-*"]"#)
                    case 1: keys.append(#"  products: [{sku: "ASA-*", until: \#(date(day()))}, "FPR-*"]"#)
                    default:  // ISE lines ordered up to a day count here, later ones in security/advanced
                        keys.append(#"  products: [{sku: "ISE-*", until: \#(date(day()))}, "ASA-*", "FPR-*"]"#)
                    }
                default:
                    keys.append(r.chance(400) ? #"  products: [{sku: "ISE-*", from: \#(date(day()))}]"# : #"  products: ["ISE-*"]"#)
                }
                keys += (sixMonths ? subtrack.credentials6M : subtrack.credentials3M).map { "  " + $0 }
                keys.append("  minimum_volume: \(sixMonths ? subtrack.minimum6M : subtrack.minimum3M)")
                text += keys.map { "      " + $0 + "\n" }.joined()
            }
            return text + "\n"
        }

        /// `value` / 10^decimals as a plain decimal without trailing zeros: (625, 2) -> "6.25", (600, 2) -> "6".
        static func number(_ value: Int, decimals: Int) -> String {
            var scale = 1
            for _ in 0..<decimals { scale *= 10 }
            var fraction = value % scale
            guard fraction != 0 else { return "\(value / scale)" }
            var digits = decimals
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            let text = "\(fraction)"
            return "\(value / scale)." + String(repeating: "0", count: digits - text.count) + text
        }

        /// `YYYY-MM-DD`.
        static func date(_ day: Int) -> String {
            let (year, month, dayOfMonth) = Cal.civil(day)
            return "\(year)-\(month < 10 ? "0" : "")\(month)-\(dayOfMonth < 10 ? "0" : "")\(dayOfMonth)"
        }
    }
}
