import Foundation
import GRDB
import IncentiveEngine

/// One partner with everything the workspace holds about it except bookings.
public struct PartnerRecord: Sendable {
    public var partner: Partner
    public var credentials: [Credential]
    public var csatReports: [CSATReport]
    public var services: [PoweredService]
    public var enrollments: [Enrollment]
    public var bookingLines: Int
}

extension Workspace {
    /// A page of partners sorted by id, and how many there are in all.
    public func partners(offset: Int, limit: Int, only: String? = nil) throws -> (items: [Partner], total: Int) {
        try pool.read { db in
            let filter = only == nil ? "" : "WHERE partner_id = ?"
            let arguments: StatementArguments = only.map { [$0] } ?? []
            let total = try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM partners \(filter)", arguments: arguments) ?? 0
            let rows = try Row.fetchAll(
                cached: db, sql: "SELECT partner_id, name, country, tier, provider FROM partners \(filter) ORDER BY partner_id LIMIT ? OFFSET ?",
                arguments: arguments + [limit, offset])
            return (try rows.map(Self.partner(_:)), total)
        }
    }

    static func partner(_ row: Row) throws -> Partner {
        let tierText: String = row["tier"]
        guard let tier = Tier(rawValue: tierText) else { throw WorkspaceError(.damaged, "the workspace holds a partner with an unknown tier \(tierText)") }
        return Partner(id: row["partner_id"], name: row["name"], country: row["country"], tier: tier, provider: row["provider"])
    }

    public func partnerRecord(_ id: String) throws -> PartnerRecord? {
        try pool.read { db in
            guard let row = try Row.fetchOne(cached: db, sql: "SELECT * FROM partners WHERE partner_id = ?", arguments: [id]) else { return nil }
            let credentials = try Row.fetchAll(
                cached: db, sql: "SELECT credential, achieved_on, expires_on FROM credentials WHERE partner_id = ? ORDER BY credential, achieved_on",
                arguments: [id]
            ).map { Credential(partnerID: id, credential: $0[0], achievedOn: try Self.day($0[1]), expiresOn: try Self.optionalDay($0[2])) }
            let csat = try Row.fetchAll(
                cached: db, sql: "SELECT survey_id, submitted_on FROM csat WHERE partner_id = ? ORDER BY submitted_on, survey_id", arguments: [id]
            ).map { CSATReport(partnerID: id, surveyID: $0[0], submittedOn: try Self.day($0[1])) }
            let services = try Row.fetchAll(
                cached: db,
                sql: "SELECT service, strategic, active_from, active_until FROM services WHERE partner_id = ? ORDER BY service, active_from",
                arguments: [id]
            ).map {
                PoweredService(
                    partnerID: id, service: $0[0], strategic: $0[1], activeFrom: try Self.day($0[2]), activeUntil: try Self.optionalDay($0[3]))
            }
            let lines = try Int.fetchOne(cached: db, sql: "SELECT COUNT(*) FROM bookings WHERE partner_id = ?", arguments: [id]) ?? 0
            return PartnerRecord(
                partner: try Self.partner(row), credentials: credentials, csatReports: csat, services: services,
                enrollments: try Self.enrollments(db, partner: id), bookingLines: lines)
        }
    }

    /// Enrolments, all or of one partner, sorted by partner, program, subtrack.
    public func enrollments(partner: String? = nil) throws -> [Enrollment] {
        try pool.read { db in try Self.enrollments(db, partner: partner) }
    }

    static func enrollments(_ db: Database, partner: String?) throws -> [Enrollment] {
        let filter = partner == nil ? "" : "WHERE partner_id = ?"
        return try Row.fetchAll(
            cached: db, sql: "SELECT partner_id, program, subtrack, enrolled_on FROM enrollments \(filter) ORDER BY partner_id, program, subtrack",
            arguments: partner.map { [$0] } ?? []
        ).map { Enrollment(partnerID: $0[0], program: $0[1], subtrack: $0[2], enrolledOn: try Self.day($0[3])) }
    }
}
