/// Rows of one table gathered by partner index, then appended to the dataset's per-partner lists with
/// one allocation per partner, keeping file order within each partner.
struct PerPartner<Row> {
    private var partners: [Int32] = []
    private var rows: [Row] = []
    private var counts: [Int32]

    init(partnerCount: Int) { counts = Array(repeating: 0, count: partnerCount) }

    @inline(__always)
    mutating func append(_ row: Row, for partner: Int) {
        partners.append(Int32(truncatingIfNeeded: partner))
        rows.append(row)
        counts[partner] += 1
    }

    func append(to lists: inout [[Row]]) {
        for (partner, count) in counts.enumerated() where count > 0 { lists[partner].reserveCapacity(lists[partner].count + Int(count)) }
        for (partner, row) in zip(partners, rows) { lists[Int(partner)].append(row) }
    }
}

extension PerPartner: Sendable where Row: Sendable {}
