/// Which programs a computation covers when the caller names some by id: the one rule every front end
/// (files, workspace, server) applies. Ids match byte for byte.
public enum ProgramSelection {
    /// The ids in `requested` that none of `known` is, in the order requested.
    public static func unknown(_ requested: [String], among known: [String]) -> [String] {
        requested.filter { id in !known.contains { $0.isExactly(id) } }
    }

    /// `programs` sorted by id in byte order, only those named in `requested` (every one when it is empty),
    /// and the requested ids no program has.
    public static func select(_ programs: [Program], ids requested: [String]) -> (programs: [Program], unknown: [String]) {
        let sorted = programs.sorted { String.byteOrder($0.id, $1.id) }
        guard !requested.isEmpty else { return (sorted, []) }
        return (
            sorted.filter { program in requested.contains { $0.isExactly(program.id) } },
            unknown(requested, among: programs.map(\.id))
        )
    }
}
