import IncentiveEngine

/// The product's results as workbooks (`--format xlsx`, the pages' XLSX downloads): the same values as the
/// results CSV, typed. Reports made of types outside the engine (a runs diff, advice, and statements once they
/// exist) are mapped to `XLSXSheet`s where those types live and written with the same `XLSXWorkbook`.
public enum WriteReports {
    /// The columns of a program's sheet: the results CSV's (formats.md §4) less `program` and `kind`,
    /// which the sheet is about.
    public static func resultColumns(currency: String) -> [XLSXColumn] {
        [
            XLSXColumn("Partner"), XLSXColumn("Item"), XLSXColumn("Qualifying volume (\(currency))"), XLSXColumn("Threshold (\(currency))"),
            XLSXColumn("Eligible"), XLSXColumn("Paid (\(currency))"), XLSXColumn("Missed (\(currency))"), XLSXColumn("Reasons"),
        ]
    }

    /// A result row as the cells of `resultColumns`.
    public static func resultCells(_ row: ResultRow) -> [XLSXCell] {
        [
            .text(row.partnerID), .text(row.item), .money(row.qualifyingVolume), .money(row.threshold), .bool(row.eligible),
            .money(row.amount), .money(row.missedAmount), .text(row.reasons.joined(separator: ";")),
        ]
    }

    /// The header of an amount column: `Paid (USD)` when every program has that currency, `Paid` (with the
    /// `Currency` column beside it) when they differ.
    static func amountTitle(_ title: String, currencies: [String]) -> String {
        let distinct = Set(currencies)
        return distinct.count == 1 ? "\(title) (\(distinct.first!))" : title
    }

    /// The summary sheet: one row per program, the figures of the table `compute` prints.
    public static func summary(_ result: ComputeResult, name: String = "Summary") -> XLSXSheet {
        let currencies = result.programs.map(\.program.currency)
        let columns = [
            XLSXColumn("Program"), XLSXColumn("Name"), XLSXColumn("Kind"), XLSXColumn("Currency"), XLSXColumn("Period start"),
            XLSXColumn("Period end"), XLSXColumn("Partners taking part"), XLSXColumn("Eligible partners"), XLSXColumn("Rows"),
            XLSXColumn("Eligible rows"), XLSXColumn(amountTitle("Paid", currencies: currencies)),
            XLSXColumn(amountTitle("Missed", currencies: currencies)),
        ]
        let rows: [[XLSXCell]] = result.programs.map { programResult in
            let program = programResult.program
            var rowCount: Int64 = 0, eligibleRows: Int64 = 0
            for partner in programResult.partners {
                rowCount += Int64(partner.rows.count)
                eligibleRows += Int64(partner.rows.reduce(0) { $1.eligible ? $0 + 1 : $0 })
            }
            return [
                .text(program.id), .text(program.name), .text(program.kind.rawValue), .text(program.currency), .date(program.period.start),
                .date(program.period.end), .integer(Int64(programResult.partnersTakingPart)), .integer(Int64(programResult.eligiblePartners)),
                .integer(rowCount), .integer(eligibleRows), .money(programResult.amount), .money(programResult.missedAmount),
            ]
        }
        return XLSXSheet(name: name, columns: columns, rows: rows)
    }

    /// `compute`'s results (and a stored run's): the summary sheet, then one sheet per program (named by its
    /// id) with one row per partner and item, in the results' order.
    public static func results(_ result: ComputeResult) -> XLSXWorkbook {
        var sheets = [summary(result)]
        for programResult in result.programs {
            var rows: [[XLSXCell]] = []
            rows.reserveCapacity(programResult.partners.reduce(0) { $0 + $1.rows.count })
            for partner in programResult.partners {
                for row in partner.rows { rows.append(resultCells(row)) }
            }
            sheets.append(
                XLSXSheet(name: programResult.program.id, columns: resultColumns(currency: programResult.program.currency), rows: rows))
        }
        return XLSXWorkbook(sheets: sheets)
    }
}
