/// The templates of the admin pages (Mustache; `{{ }}` escapes HTML), over the `header` and `footer`
/// of `Templates`.
enum AdminTemplates {
    static let all: [String: String] = ["users": users]

    /// Every user with its status and tokens, and the forms to change them (each with the session's CSRF token).
    static let users = """
        {{> header}}
        <h1>{{t.users}}</h1>
        {{#done}}<p class="ok">{{done}}</p>{{/done}}
        {{#problem}}<p class="error">{{problem}}</p>{{/problem}}
        <p class="muted">{{t.usersHelp}}</p>
        {{#users}}
        <div class="card">
        <h2>{{name}} <span class="status {{status}}">{{statusText}}</span></h2>
        <p class="muted">{{role}}{{#partner}} · {{t.partner}} <a href="/partners/{{partner}}">{{partner}}</a>{{/partner}} · {{t.created}} {{created}}{{#since}} · {{statusText}} {{since}}{{/since}}</p>
        {{^deleted}}
        <form method="post" action="/users/password">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="name" value="{{name}}">
        <label>{{t.newPassword}} <input type="password" name="password" autocomplete="new-password" required></label>
        <label>{{t.repeatPassword}} <input type="password" name="again" autocomplete="new-password" required></label>
        <button>{{t.setPassword}}</button>
        </form>
        {{^isSelf}}
        <form method="post" action="/users/{{#active}}disable{{/active}}{{^active}}enable{{/active}}">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="name" value="{{name}}">
        <button>{{#active}}{{t.disable}}{{/active}}{{^active}}{{t.enable}}{{/active}}</button>
        </form>
        <form method="post" action="/users/delete">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="name" value="{{name}}">
        <label>{{t.confirmDelete}} <input name="confirm" autocomplete="off" required></label>
        <button>{{t.delete}}</button>
        </form>
        {{/isSelf}}
        {{/deleted}}
        <h3>{{t.tokens}}</h3>
        {{#hasTokens}}
        <table>
        <tr><th>{{t.tokenID}}</th><th>{{t.created}}</th><th>{{t.expires}}</th><th>{{t.status}}</th><th></th></tr>
        {{#tokens}}<tr><td><code>{{id}}</code></td><td>{{created}}</td><td>{{expires}}</td><td>{{tokenStatus}}{{#revoked}} {{revoked}}{{/revoked}}</td><td>{{#live}}<form method="post" action="/tokens/revoke"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{id}}"><button>{{t.revoke}}</button></form>{{/live}}</td></tr>{{/tokens}}
        </table>
        {{/hasTokens}}
        {{^hasTokens}}<p class="muted">{{t.noTokens}}</p>{{/hasTokens}}
        </div>
        {{/users}}
        {{> footer}}
        """
}
