import { html, type SafeHtml } from "../html.ts";
import { csrfField, renderLayout, type PageFrame } from "./layout.ts";

/** What the login page shows. */
export interface LoginView {
  /** Why the last attempt failed, shown above the form and tied to the username field. */
  readonly error?: string;
  /** The username of the last attempt, kept in its field. */
  readonly username: string;
  /** Where to go once logged in: a path on this site, already checked by the caller. */
  readonly next: string;
}

/** An interface string with its `{command}` placeholder shown as code. */
function introWithCommand(template: string, command: string): SafeHtml {
  const [before = "", after = ""] = template.split("{command}");
  return html`${before}<code>${command}</code>${after}`;
}

/** Renders the officials' login form. */
export function renderLoginPage(frame: PageFrame, view: LoginView): string {
  const { t } = frame;
  const { error } = view;
  return renderLayout(
    frame,
    html`<div class="login"><h1>${t.logIn}</h1>
<p class="hint">${introWithCommand(t.loginIntroCommand, "wego user add")}</p>
${error ? html`<p class="alert" role="alert" id="login-error">${error}</p>` : ""}
<form method="post" action="/login" novalidate>
${csrfField(frame)}
<input type="hidden" name="next" value="${view.next}">
<div class="field"><label for="username">${t.username}</label><input type="text" id="username" name="username" value="${view.username}" autocomplete="username" aria-required="true"${error ? html` aria-describedby="login-error"` : ""}></div>
<div class="field"><label for="password">${t.password}</label><input type="password" id="password" name="password" autocomplete="current-password" aria-required="true"></div>
<div class="form-actions"><button type="submit">${t.logIn}</button></div>
</form></div>`,
  );
}
