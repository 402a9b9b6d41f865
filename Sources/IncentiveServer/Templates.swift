/// The page templates (Mustache; `{{ }}` escapes HTML). Kept in the source so the server needs no
/// files at run time. Every page starts with `header` and ends with `footer`.
enum Templates {
    static let all: [String: String] = [
        "header": header, "footer": footer, "login": login, "overview": overview, "program": program, "partnerBody": partnerBody,
        "runs": runs, "imports": imports, "message": message, "programs": programs,
    ]

    static let header = """
        <!doctype html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · incentives</title>
        <style>
        body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d2433; background: #f6f7f9; }
        header { background: #12355b; color: #fff; padding: 10px 24px; display: flex; gap: 20px; align-items: center; flex-wrap: wrap; }
        header a { color: #fff; text-decoration: none; } header a:hover { text-decoration: underline; }
        header .brand { font-weight: 700; margin-right: 12px; } header .muted { color: #c9d3e0; } header .right { margin-left: auto; display: flex; gap: 14px; align-items: center; }
        header form { margin: 0; } header button { background: none; border: 1px solid #fff8; color: #fff; border-radius: 4px; padding: 2px 8px; cursor: pointer; }
        main { max-width: 1080px; margin: 0 auto; padding: 20px 24px 48px; }
        h1 { font-size: 24px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 28px 0 8px; } h3 { font-size: 16px; margin: 18px 0 6px; }
        .muted { color: #5b6476; } .card { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 14px 18px; margin: 12px 0; }
        table { border-collapse: collapse; width: 100%; background: #fff; } th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e6e9ee; vertical-align: top; }
        th { font-weight: 600; background: #eef1f5; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .pass { color: #11703a; font-weight: 600; } .fail { color: #b42318; font-weight: 600; }
        .status { display: inline-block; padding: 1px 8px; border-radius: 10px; background: #eef1f5; font-size: 13px; }
        .status.eligible { background: #d9f2e2; } .status.ineligible { background: #fde2df; } .status.partially_eligible { background: #fff1c9; }
        ul.checks { list-style: none; padding: 0; margin: 6px 0; } ul.checks li { margin: 3px 0; }
        .error { background: #fde2df; border: 1px solid #f2b8b1; padding: 10px 14px; border-radius: 6px; }
        .ok { background: #d9f2e2; border: 1px solid #a9dcbc; padding: 10px 14px; border-radius: 6px; }
        input, select { font: inherit; padding: 4px 6px; } button.primary { font: inherit; background: #12355b; color: #fff; border: 0; border-radius: 4px; padding: 6px 14px; cursor: pointer; }
        pre { background: #fff; border: 1px solid #dde1e8; padding: 12px; overflow-x: auto; font-size: 13px; }
        svg text { font: 11px system-ui, sans-serif; fill: #1d2433; }
        </style>
        </head>
        <body>
        <header>
        <span class="brand">incentives</span>
        {{#user}}
        {{#admin}}<a href="/">{{t.overview}}</a>{{/admin}}
        <a href="/programs">{{t.programs}}</a>
        {{#partnerLink}}<a href="{{partnerLink}}">{{t.partner}}</a>{{/partnerLink}}
        <a href="/runs">{{t.runs}}</a>
        {{#admin}}<a href="/imports">{{t.imports}}</a>{{/admin}}
        {{#admin}}<a href="/users">{{t.users}}</a>{{/admin}}
        <span class="right"><a href="?lang={{otherLang}}">{{t.language}}</a><span class="muted">{{name}}</span>
        <form method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button>{{t.signOut}}</button></form></span>
        {{/user}}
        {{^user}}<span class="right"><a href="?lang={{otherLang}}">{{t.language}}</a></span>{{/user}}
        </header>
        <main>

        """

    static let footer = """
        </main>
        </body>
        </html>

        """

    static let login = """
        {{> header}}
        <h1>{{t.signIn}}</h1>
        {{#failed}}<p class="error">{{t.wrongLogin}}</p>{{/failed}}
        {{#refusal}}<p class="error">{{refusal}}</p>{{/refusal}}
        <form method="post" action="/login" class="card" style="max-width: 360px">
        <input type="hidden" name="csrf" value="{{loginCSRF}}">
        <p><label>{{t.name}}<br><input name="name" autocomplete="username" required autofocus></label></p>
        <p><label>{{t.password}}<br><input name="password" type="password" autocomplete="current-password" required></label></p>
        <p><button class="primary">{{t.signIn}}</button></p>
        </form>
        {{> footer}}
        """

    static let message = """
        {{> header}}
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        {{> footer}}
        """

    static let overview = """
        {{> header}}
        <h1>{{t.overview}}</h1>
        {{#run}}<p class="muted">{{t.latestRun}} {{id}}, {{started}}</p>{{/run}}
        {{^run}}<p>{{t.noRun}}</p>{{/run}}
        {{#programs}}
        <div class="card">
        <h2><a href="/programs/{{id}}">{{id}}</a> <span class="muted">{{name}}</span></h2>
        <p class="muted">{{kind}} · {{period}} · {{currency}}</p>
        <table>
        <tr><th class="num">{{t.takingPart}}</th><th class="num">{{t.eligible}}</th><th class="num">{{t.paid}}</th><th class="num">{{t.missed}}</th></tr>
        <tr><td class="num">{{takingPart}}</td><td class="num">{{eligible}}</td><td class="num">{{paid}}</td><td class="num">{{missed}}</td></tr>
        </table>
        {{{chart}}}
        <h3>{{t.partners}}</h3>
        <table>
        <tr><th>{{t.partner}}</th><th>{{t.status}}</th><th class="num">{{t.paid}}</th><th class="num">{{t.missed}}</th></tr>
        {{#partners}}<tr><td><a href="/partners/{{id}}">{{id}}</a></td><td><span class="status {{status}}">{{statusText}}</span></td><td class="num">{{paid}}</td><td class="num">{{missed}}</td></tr>{{/partners}}
        </table>
        </div>
        {{/programs}}
        {{> footer}}
        """

    static let programs = """
        {{> header}}
        <h1>{{t.programs}}</h1>
        <table>
        <tr><th>{{t.program}}</th><th>{{t.name}}</th><th>{{t.kind}}</th><th>{{t.period}}</th><th>{{t.currency}}</th><th class="num">{{t.version}}</th></tr>
        {{#programs}}<tr><td><a href="/programs/{{id}}">{{id}}</a></td><td>{{name}}</td><td>{{kind}}</td><td>{{period}}</td><td>{{currency}}</td><td class="num">{{version}}</td></tr>{{/programs}}
        </table>
        {{> footer}}
        """

    static let program = """
        {{> header}}
        <h1>{{id}} <span class="muted">{{name}}</span></h1>
        <p class="muted">{{kind}} · {{t.period}} {{period}} · {{t.currency}} {{currency}} · {{t.version}} {{version}} · {{countBy}}</p>
        {{#vip}}
        <div class="card"><p>{{requirements}}</p></div>
        <h2>{{t.tracks}}</h2>
        {{#subtracks}}
        <div class="card">
        <h3>{{path}} <span class="muted">{{name}}</span></h3>
        <p>{{t.rebate}} <strong>{{rebate}}</strong> · {{t.products}} <code>{{products}}</code></p>
        {{#requiresAll}}<p>{{t.requiresAll}}: {{requiresAll}}</p>{{/requiresAll}}
        {{#requiresAny}}<p>{{t.requiresAny}}: {{requiresAny}}</p>{{/requiresAny}}
        <table><tr><th>{{t.thresholds}}</th><th class="num">{{t.minimum}}</th></tr>
        {{#thresholds}}<tr><td>{{country}}</td><td class="num">{{amount}}</td></tr>{{/thresholds}}
        </table>
        </div>
        {{/subtracks}}
        {{/vip}}
        {{#mdf}}
        <h2>{{t.rules}}</h2>
        <table><tr><th>{{t.from}}</th><th>{{t.counts}}</th></tr>
        {{#rules}}<tr><td>{{from}}</td><td>{{counts}}</td></tr>{{/rules}}
        </table>
        <h2>{{t.tiers}}</h2>
        <table><tr><th>{{t.item}}</th><th class="num">{{t.accrual}}</th><th>{{t.thresholds}}</th><th>{{t.strategic}}</th></tr>
        {{#tiers}}<tr><td>{{tier}}</td><td class="num">{{accrual}}</td><td>{{thresholds}}</td><td>{{strategic}}</td></tr>{{/tiers}}
        </table>
        {{/mdf}}
        {{> footer}}
        """

    /// Without header and footer: the body is cached per partner, language and workspace revision.
    static let partnerBody = """
        <h1>{{partnerID}} <span class="muted">{{partnerName}}</span></h1>
        <p class="muted">{{country}} · {{tier}}{{#provider}} · {{provider}}{{/provider}}</p>
        <p class="muted">{{t.projection}}</p>
        {{^storedRun}}<p class="muted">{{t.noStoredRun}}</p>{{/storedRun}}
        {{#hasAdvice}}<div class="card"><h2>{{t.advice}}</h2><ul>{{#advice}}<li>{{.}}</li>{{/advice}}</ul></div>{{/hasAdvice}}
        {{#programs}}
        <div class="card">
        <h2><a href="/programs/{{id}}">{{id}}</a> <span class="status {{status}}">{{statusText}}</span></h2>
        <p>{{t.wouldBePaid}} <strong>{{amount}} {{currency}}</strong> · {{t.wouldBeMissed}} {{missed}} {{currency}}</p>
        {{#paid}}<p class="muted">{{t.storedRun}} {{id}} ({{time}}): {{statusText}} · {{t.paid}} {{amount}} {{currency}} · {{t.missed}} {{missed}} {{currency}}</p>{{/paid}}
        {{#notInRun}}<p class="muted">{{t.notInRun}} {{id}} ({{time}}).</p>{{/notInRun}}
        {{#rows}}
        <h3>{{item}} {{#eligible}}<span class="pass">✓</span>{{/eligible}}{{^eligible}}<span class="fail">✗</span>{{/eligible}}</h3>
        {{{bar}}}
        <ul class="checks">
        {{#checks}}<li>{{#passed}}<span class="pass">✓ {{t.pass}}</span>{{/passed}}{{^passed}}<span class="fail">✗ {{t.fail}}</span>{{/passed}} {{explanation}}</li>{{/checks}}
        </ul>
        <p>{{t.volume}} {{volume}} · {{t.minimum}} {{threshold}} · {{t.wouldBePaid}} <strong>{{amount}}</strong> · {{t.wouldBeMissed}} {{missed}}</p>
        {{/rows}}
        {{#hasLines}}
        <h3>{{t.linesCounted}}</h3>
        <table><tr><th>{{t.order}}</th><th>{{t.sku}}</th><th>{{t.booked}}</th><th>{{t.item}}</th><th class="num">{{t.amount}}</th></tr>
        {{#lines}}<tr><td>{{order}}</td><td>{{sku}}</td><td>{{booked}}</td><td>{{item}}</td><td class="num">{{amount}}</td></tr>{{/lines}}
        </table>
        {{/hasLines}}
        </div>
        {{/programs}}
        """

    static let runs = """
        {{> header}}
        <h1>{{t.runs}}</h1>
        <table>
        <tr><th>#</th><th>{{t.started}}</th><th>{{t.programs}}</th><th class="num">{{t.lines}}</th>{{#admin}}<th class="num">{{t.paid}}</th><th class="num">{{t.missed}}</th>{{/admin}}</tr>
        {{#runs}}<tr><td>{{id}}</td><td>{{started}}</td><td>{{programs}}</td><td class="num">{{lines}}</td>{{#admin}}<td class="num">{{paid}}</td><td class="num">{{missed}}</td>{{/admin}}</tr>{{/runs}}
        </table>
        {{#admin}}{{#canCompare}}
        <form method="get" action="/runs" class="card">
        {{t.compare}} <select name="a">{{#runs}}<option value="{{id}}" {{#isA}}selected{{/isA}}>{{id}}</option>{{/runs}}</select>
        → <select name="b">{{#runs}}<option value="{{id}}" {{#isB}}selected{{/isB}}>{{id}}</option>{{/runs}}</select>
        <button class="primary">{{t.compare}}</button>
        </form>
        {{/canCompare}}{{/admin}}
        {{#diff}}<pre>{{diff}}</pre>{{/diff}}
        {{> footer}}
        """

    static let imports = """
        {{> header}}
        <h1>{{t.imports}}</h1>
        {{#done}}<p class="ok">{{t.importDone}}: {{done}}</p>{{/done}}
        {{#hasProblems}}
        <div class="error"><p>{{t.importRejected}}</p>
        <table><tr><th>{{t.file}}</th><th class="num">{{t.line}}</th><th>{{t.column}}</th><th>{{t.value}}</th><th>{{t.problem}}</th></tr>
        {{#problems}}<tr><td>{{file}}</td><td class="num">{{line}}</td><td>{{column}}</td><td><code>{{value}}</code></td><td>{{message}}</td></tr>{{/problems}}
        </table>
        {{#moreProblems}}<p>{{moreProblems}} {{t.moreProblems}}</p>{{/moreProblems}}</div>
        {{/hasProblems}}
        <form method="post" action="/imports" enctype="multipart/form-data" class="card">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.kind}} <select name="kind">{{#kinds}}<option>{{.}}</option>{{/kinds}}</select></label>
        <label>{{t.file}} <input type="file" name="file" accept=".csv,text/csv" required></label>
        <button class="primary">{{t.upload}}</button>
        </form>
        <table><tr><th>#</th><th>{{t.started}}</th><th>{{t.kind}}</th><th>{{t.file}}</th><th class="num">{{t.rows}}</th><th class="num">{{t.added}}</th><th class="num">{{t.changed}}</th><th class="num">{{t.unchanged}}</th></tr>
        {{#log}}<tr><td>{{id}}</td><td>{{at}}</td><td>{{kind}}</td><td>{{file}}</td><td class="num">{{rows}}</td><td class="num">{{added}}</td><td class="num">{{changed}}</td><td class="num">{{unchanged}}</td></tr>{{/log}}
        </table>
        {{> footer}}
        """
}
