import IncentiveEngine

/// What a column of a dataset file holds, as far as a spreadsheet's conventions change how it is written.
public enum ReadColumnKind: Sendable, Hashable {
    /// Text and identifiers: read as they are.
    case text
    /// A decimal with at most `scale` decimals: money (2), fx rates and quantities (6).
    case decimal(scale: Int)
    /// A calendar date, written `YYYY-MM-DD` in the standard dialect.
    case date
    /// `true`/`false` (Dutch Excel writes `WAAR`/`ONWAAR`).
    case boolean
}

/// The typed columns of every dataset file (formats.md §1 and §5.5); every other column is text.
public enum ReadColumns {
    /// Typed columns by file name; a test checks them against every column of docs/formats.md.
    public static let kinds: [String: [String: ReadColumnKind]] = [
        "partners.csv": ["provider": .boolean],
        "credentials.csv": ["achieved_on": .date, "expires_on": .date],
        "csat.csv": ["submitted_on": .date],
        "services.csv": ["strategic": .boolean, "active_from": .date, "active_until": .date],
        "enrollments.csv": ["enrolled_on": .date],
        "products.csv": [:],
        "bookings.csv": ["booked_on": .date, "shipped_on": .date, "quantity": .decimal(scale: 6), "amount": .decimal(scale: 2)],
        "fx.csv": ["valid_from": .date, "rate": .decimal(scale: 6)],
        "tiers.csv": ["valid_from": .date],
    ]

    /// The kind of `column` in the file named `fileName` (`bookings.csv`); text when not typed.
    public static func kind(of column: String, in fileName: String) -> ReadColumnKind {
        kinds[fileName]?[column] ?? .text
    }

    /// What a value of `kind` is called in messages.
    static func what(_ kind: ReadColumnKind, column: String) -> String {
        switch kind {
        case .decimal(let scale): scale == 2 ? "an amount" : (column == "rate" ? "a rate" : "a number")
        case .date: "a date"
        case .boolean: "true or false"
        case .text: "text"
        }
    }
}
