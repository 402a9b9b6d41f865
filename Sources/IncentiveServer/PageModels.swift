// The view models of the pages: what each template shows, already written in the page's language
// (money, dates, statuses). Mustache reads them through `Mirror`, so only stored properties count,
// a nil optional is a section not shown (as an absent key was), and a name a section's value lacks is
// looked up in the values around it: each model has exactly the names its template asks for.

/// The header and footer of every page: its language, texts and title, and who is signed in.
struct PageFrame: Sendable {
    struct SignedIn: Sendable {
        var name: String
        var admin: Bool
        var csrf: String
        /// A partner user's own page.
        var partnerLink: String?
    }

    var lang: String
    /// The language the switch in the header leads to.
    var otherLang: String
    /// The texts of `lang` (`Language.texts`): the frame cache keys on `lang` alone.
    var t: [String: String]
    var title: String
    var user: SignedIn?
}

struct LoginPage: Sendable {
    var t: [String: String]
    var loginCSRF: String
    var failed: Bool
    /// Why the sign-in was held back (too many attempts, busy).
    var refusal: String?
}

/// How the pages name a stored run: its number and when it started.
struct RunLabel: Sendable {
    var id: Int
    var time: String
}

/// A page with a heading and one line (the 404 page).
struct MessagePage: Sendable {
    var heading: String
    var text: String
}

/// The latest run's overview per program, for admins: the totals, the count per status, the spread
/// of paid and missed amounts over the partners, the largest amounts, and a link to the whole list.
struct OverviewPage: Sendable {
    struct Program: Sendable {
        struct StatusCount: Sendable {
            var status, statusText: String
            var count: Int
        }

        var id, name, kind, currency, period: String
        var version: Int
        var takingPart, eligible: Int
        var paid, missed: String
        var statusCounts: [StatusCount]
        /// An SVG of paid against missed.
        var chart: String
        /// SVG histograms of the partners' paid and missed amounts; nil when no partner has one.
        var paidHistogram, missedHistogram: String?
        var largestPaid, largestMissed: [Standing]
        var hasLargestPaid, hasLargestMissed: Bool
        /// "All 1,234 partners", linking to the program page's list.
        var allPartners: String
        var allPartnersHref: String
    }

    /// One of the largest amounts: the partner and the amount.
    struct Standing: Sendable {
        var partnerID, partnerName, partnerHref, shownAmount: String
    }

    var t: [String: String]
    var run: RunLabel?
    var programs: [Program]
}

/// The pager above every list: which page of how many, previous and next, the sort links and the
/// search form (a GET form keeping the list's other parameters). Every link keeps the parameters the
/// page needs. The names are unique among the page models: Mustache looks a name a value lacks up in
/// the values around it.
struct Pager: Sendable {
    struct SortLink: Sendable {
        var sortLabel, sortHref: String
        var sortCurrent: Bool
    }

    /// A hidden field of the search form.
    struct Field: Sendable {
        var fieldName, fieldValue: String
    }

    /// "Page 2 of 7".
    var pageOf: String
    var hasPrevious, hasNext: Bool
    var previousHref, nextHref: String
    var hasSort: Bool
    var sortLinks: [SortLink]
    var hasSearch: Bool
    var searchAction, searchValue: String
    var searchFields: [Field]
}

/// One partner in a list of a stored run (the program page, the run page).
struct PartnerRow: Sendable {
    var partnerID, partnerName, partnerHref, status, statusText, paid, missed: String
}

/// A page of the partners of one program in one stored run.
struct PartnerList: Sendable {
    /// "Partners in run 2 (May 15, 2015 09:00 UTC)".
    var heading: String
    var pager: Pager
    var rows: [PartnerRow]
    /// The page past the end, or a search that found nothing.
    var isEmpty: Bool
    /// The run's rows of the list's program to download (`/api/v1/runs/{id}/results?program=&format=`).
    var downloads: [Download] = []
}

/// Every program version in the workspace.
struct ProgramsPage: Sendable {
    struct Program: Sendable {
        var id, name, kind, period, currency: String
        var version: Int
    }

    var t: [String: String]
    var programs: [Program]
}

/// One program's rules: the VIP subtracks or the MDF tiers.
struct ProgramPage: Sendable {
    struct Threshold: Sendable {
        var country, amount: String
    }

    struct VIP: Sendable {
        struct Subtrack: Sendable {
            /// One `products` entry of a subtrack with dated entries (formats.md §5.2).
            struct Entry: Sendable {
                var pattern: String
                /// `until Oct 31, 2017`; nil for an entry in force on every date.
                var dates: String?
                /// Whether another entry follows.
                var more: Bool
            }

            /// `rebate_tiers`, each step with its `from` amount.
            struct RateTiers: Sendable {
                struct Step: Sendable {
                    var from, percent: String
                }

                var steps: [Step]
            }

            struct Attach: Sendable {
                struct Band: Sendable {
                    var from, bonus: String
                }

                var attachProducts: String
                var bands: [Band]
            }

            var path, name, rebate, products: String
            var thresholds: [Threshold]
            var requiresAll, requiresAny: String?
            // Rules v2 (formats.md §5.2-5.4), each nil where the subtrack does as v1 did, so a v1 program's
            // page is what it was.
            /// Every entry with its dates, when some entry has dates (else `products` shows the patterns).
            var entries: [Entry]?
            var rateTiers: RateTiers?
            /// What the percent is taken of, for a subtrack that does not pay a plain percent of the whole volume.
            var rebateBase: String?
            var attachBonus: Attach?
            var cap: String?
        }

        var requirements: String
        var subtracks: [Subtrack]
    }

    struct MDF: Sendable {
        struct Rule: Sendable {
            var from, counts: String
        }

        struct Tier: Sendable {
            var tier, accrual: String
            /// Every country's minimum on one line.
            var thresholds: String
            var strategic: String
        }

        var rules: [Rule]
        var tiers: [Tier]
    }

    var t: [String: String]
    var id, name, kind, currency: String
    var version: Int
    var period: String
    /// How the program counts a booking line's date.
    var countBy: String
    var vip: VIP?
    var mdf: MDF?
    /// Admins: the partners in the latest run that has the program.
    var partnerList: PartnerList?
    /// Admins, when no stored run has the program.
    var noRunHasProgram: Bool = false
}

/// A partner's standing computed now (the projection), next to what the latest stored run paid, and
/// the advice. Without header and footer: the body is cached per partner, language, revision and day.
struct PartnerPage: Sendable {
    struct Program: Sendable {
        /// What the stored run paid the partner in this program.
        struct Paid: Sendable {
            var id: Int
            var time, amount, missed, statusText: String
        }

        struct Row: Sendable {
            struct Check: Sendable {
                var passed: Bool
                var explanation: String
            }

            var item: String
            var eligible: Bool
            /// An SVG: the volume against the minimum (VIP), tagged against untagged (MDF).
            var bar: String
            var volume, threshold, amount, missed: String
            var checks: [Check]
        }

        /// A booking line that counted in the program.
        struct Line: Sendable {
            var order, sku, booked, item, amount: String
        }

        var id, currency, status, statusText, amount, missed: String
        var rows: [Row]
        /// The first `Pages.maxLines` lines that counted.
        var lines: [Line]
        var hasLines: Bool
        /// Said when more lines counted than are listed.
        var moreLines: String?
        var paid: Paid?
        /// The stored run, when it does not have this program with this partner in it.
        var notInRun: RunLabel?
    }

    var t: [String: String]
    var partnerID, partnerName, country, tier: String
    /// "Partner Provider", for a provider.
    var provider: String?
    var storedRun: RunLabel?
    /// The stored run's rows of this partner, as CSV and as a workbook.
    var downloads: [Download] = []
    var programs: [Program]
    var advice: [String]
    var hasAdvice: Bool
    /// The advice's deadline calendar, a line per dated step in date order (docs/advice.md).
    var calendar: [String] = []
    var hasCalendar: Bool = false
}

/// The runs, newest first, a page at a time, each linking to its page; admins see the totals and the
/// form to compare two runs.
struct RunsPage: Sendable {
    struct Run: Sendable {
        var id: Int
        var started, programs: String
        var lines: Int
        var paid, missed: String
        var admin: Bool
    }

    var t: [String: String]
    var admin: Bool
    var canCompare: Bool
    /// The runs the compare form starts with: the two latest.
    var compareA, compareB: Int
    var pager: Pager
    var runs: [Run]
    var isEmpty: Bool
}

/// One stored run: its summary and (admins) the partners of one of its programs, a page at a time.
struct RunPage: Sendable {
    struct ProgramTab: Sendable {
        var programID: String
        var version: Int
        var tabHref: String
        var selected: Bool
    }

    var t: [String: String]
    /// "Run 2".
    var heading: String
    var started, finished: String
    var lines, partners: Int
    var programs: [ProgramTab]
    var admin: Bool
    var paid, missed: String
    var partnerList: PartnerList?
    /// The run's results to download (`/api/v1/runs/{id}/results?format=`): CSV and XLSX.
    var downloads: [Download] = []
}

/// A download link: the format's name and the API route that answers it.
struct Download: Sendable {
    var label: String
    var href: String

    /// CSV and XLSX of `path` (a route with a `format=` parameter) and its `query`.
    static func csvAndXLSX(_ path: String, _ query: [(String, String)]) -> [Download] {
        [("CSV", "csv"), ("XLSX", "xlsx")].map { Download(label: $0.0, href: URLText.link(path, query + [("format", $0.1)])) }
    }
}

/// Two runs compared (admins): the programs' versions and changes, the data and the imports between
/// them, and the changed (program, partner) pairs a page at a time; or one partner's whole difference.
struct DiffPage: Sendable {
    struct ProgramChange: Sendable {
        var programID: String
        /// "v1 → v2", "v1 (same version)", "only in run 2 (v1)".
        var versions: String
        var changes: [String]
    }

    struct Import: Sendable {
        var kind, file: String
        /// "3 added, 1 changed, 20 unchanged"; nil for an enrolment recorded without a file.
        var counts: String?
    }

    struct Change: Sendable {
        var programID, partnerID, partnerName, diffHref: String
        var beforeStatus, beforeStatusText, beforePaid, beforeMissed: String
        var afterStatus, afterStatusText, afterPaid, afterMissed: String
        var paidChange, missedChange: String
    }

    var t: [String: String]
    var a, b: Int
    /// "Run 1 (time) → run 2 (time)".
    var heading: String
    var currency: String
    var programChanges: [ProgramChange]
    var dataText: String
    var imports: [Import]
    var hasImports: Bool
    var paidBefore, paidAfter, missedBefore, missedAfter: String
    /// "3 (program, partner) pairs changed".
    var changedText: String
    var pairs: [Change]
    var pager: Pager?
    var isEmpty: Bool
    /// `partner=ID`: that partner's whole difference as text, instead of the list.
    var partnerDiff: String?
    var partnerHeading: String?
    var backHref: String
    /// When the data changed: how many booking lines changed, linking to their list (`lines=1`).
    var linesText: String? = nil
    var linesHref: String = ""
    /// `lines=1`: the changed booking lines a page at a time, instead of the pairs.
    var showLines = false
    var linesHeading: String = ""
    var lineRows: [LineRow] = []
    /// The difference to download (`/api/v1/runs/{b}/diff?since=a&format=`): CSV and XLSX.
    var downloads: [Download] = []

    struct LineRow: Sendable {
        struct Column: Sendable {
            var name: String
            var before, after: String
        }

        var orderID, line, partnerID, change, importText: String
        var columns: [Column]
    }
}

/// The import form and the import log, newest first, a page at a time; after an upload, what was
/// imported or the problems that stopped it.
struct ImportsPage: Sendable {
    struct Entry: Sendable {
        var id: Int
        var at, kind, file: String
        var rows, added, changed, unchanged: Int
    }

    struct Problem: Sendable {
        var file, line, column, value, message: String
    }

    var t: [String: String]
    var csrf: String
    var kinds: [String]
    var pager: Pager
    var log: [Entry]
    var done: String?
    var hasProblems: Bool
    var problems: [Problem]
    /// How many problems are not listed.
    var moreProblems: Int?
    /// After "Preview": what the import would do, and the form that imports the kept file.
    var preview: Preview? = nil
    var hasWarnings = false
    var warnings: [String] = []

    struct Preview: Sendable {
        struct Row: Sendable {
            /// added, changed or retired (in the page's language).
            var what, key, text: String
        }

        var heading: String
        var counts: String
        var token: String
        var hasRows: Bool
        var rows: [Row]
        /// `... and N more added`, per list cut at its first 50.
        var more: [String]
    }
}

/// Every user with its status and tokens, and the forms to change them.
struct UsersPage: Sendable {
    struct User: Sendable {
        struct Token: Sendable {
            var id, created, expires, tokenStatus: String
            var live: Bool
            var revoked: String?
        }

        var name, role, status, statusText, created: String
        var active, deleted, isSelf, hasTokens: Bool
        var tokens: [Token]
        var partner: String?
        /// When the user was disabled or deleted.
        var since: String?
    }

    var t: [String: String]
    var csrf: String
    var users: [User]
    var done: String?
    var problem: String?
}
