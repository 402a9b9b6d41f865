import IncentiveEngine
import IncentiveSheets
import IncentiveStore

/// `import`'s reading of spreadsheet files (issue 18): `Workspace.importSpreadsheets`, its notes on stderr.
enum SpreadsheetImport {
    static func run(
        _ store: Workspace, kind: DataKind?, file: String?, dir: String?, read: ReadOptions, mode: ImportMode, remedies: Remedies,
        progress: ImportProgress?
    ) throws(DiagnosticReport) -> ImportOutcome {
        try store.importSpreadsheets(
            kind: kind, file: file, dir: dir, read: read, mode: mode, remedies: remedies, progress: progress, notes: Terminal.reportNotes)
    }
}
