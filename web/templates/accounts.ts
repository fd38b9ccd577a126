import { html, type SafeHtml } from "../html.ts";
import { fill, type Strings } from "../i18n.ts";
import { csrfField, renderLayout, type PageFrame } from "./layout.ts";
import { dateTag } from "./parts.ts";

/** A web login as the accounts page shows it. */
export interface AccountRowView {
  readonly username: string;
  readonly role: "admin" | "editor";
  readonly createdAt: string;
  readonly disabledAt: string | null;
}

/** What the accounts page shows: the logins, and the add form as it was sent when it failed. */
export interface AccountsView {
  /** The accounts listed (the first ones by username)… */
  readonly accounts: readonly AccountRowView[];
  /** …and how many there are in all. */
  readonly total: number;
  /** The admin looking at the page: they may not disable or demote themselves here. */
  readonly self: string;
  readonly add?: { readonly username: string; readonly role: string; readonly errors: readonly string[] };
}

function roleName(t: Strings, role: string): string {
  return role === "admin" ? t.roleAdmin : t.roleEditor;
}

function roleOptions(t: Strings, selected: string): SafeHtml {
  return html`${(["editor", "admin"] as const).map(
    (r) => html`<option value="${r}"${r === selected ? html` selected` : ""}>${roleName(t, r)}</option>`,
  )}`;
}

function rowActions(frame: PageFrame, a: AccountRowView, self: boolean): SafeHtml {
  const { t } = frame;
  const action = (what: string) => `/admin/accounts/${encodeURIComponent(a.username)}/${what}`;
  const id = `acct-${a.username.replace(/[^a-z0-9]+/gi, "-")}`;
  const who = html`<span class="visually-hidden"> ${a.username}</span>`;
  return html`<div class="peer-actions">
  ${
    self
      ? ""
      : html`<form method="post" action="${action("role")}" class="inline">${csrfField(frame)}
    <label for="${id}-role" class="visually-hidden">${t.accountRole} ${a.username}</label>
    <select id="${id}-role" name="role">${roleOptions(t, a.role)}</select>
    <button type="submit" class="small secondary">${t.accountChangeRole}${who}</button></form>`
  }
  <form method="post" action="${action("password")}" class="inline">${csrfField(frame)}
    <label for="${id}-password" class="visually-hidden">${t.accountNewPassword} ${a.username}</label>
    <input type="password" id="${id}-password" name="password" autocomplete="new-password" minlength="12" placeholder="${t.accountNewPassword}">
    <button type="submit" class="small secondary">${t.accountResetPassword}${who}</button></form>
  ${
    self
      ? ""
      : a.disabledAt
        ? html`<form method="post" action="${action("enable")}" class="inline">${csrfField(frame)}<button type="submit" class="small secondary">${t.accountEnable}${who}</button></form>`
        : html`<form method="post" action="${action("disable")}" class="inline">${csrfField(frame)}<button type="submit" class="small danger">${t.accountDisable}${who}</button></form>`
  }
</div>`;
}

/** Renders the admins' accounts page: who may log in, with what role; add, change, reset, disable. */
export function renderAccountsPage(frame: PageFrame, view: AccountsView): string {
  const { t } = frame;
  const add = view.add;
  const addInvalid = add !== undefined && add.errors.length > 0;
  return renderLayout(
    frame,
    html`<h1>${t.accounts}</h1>
<p class="lede">${t.accountsIntro}</p>
<div class="table-wrap"><table class="stack accounts">
<thead><tr><th scope="col">${t.accountUsername}</th><th scope="col">${t.accountRole}</th><th scope="col">${t.state}</th><th scope="col">${t.accountCreated}</th><th scope="col"><span class="visually-hidden">${t.accountActions}</span></th></tr></thead>
<tbody>
${view.accounts.map(
  (a) => html`<tr data-username="${a.username}">
  <td data-label="${t.accountUsername}"><strong>${a.username}</strong>${a.username === view.self ? html` <small>(${t.accountYou})</small>` : ""}</td>
  <td data-label="${t.accountRole}"><span class="role">${roleName(t, a.role)}</span></td>
  <td data-label="${t.state}">${a.disabledAt ? html`<span class="badge warn">${t.accountDisabled}</span>` : html`<span class="badge ok">${t.accountActive}</span>`}</td>
  <td data-label="${t.accountCreated}">${dateTag(a.createdAt)}</td>
  <td>${rowActions(frame, a, a.username === view.self)}</td>
</tr>`,
)}
</tbody></table></div>
${view.total > view.accounts.length ? html`<p class="hint" id="accounts-more">${fill(t.accountsMore, { shown: view.accounts.length, total: view.total })}</p>` : ""}
<h2 id="add-h">${t.accountAdd}</h2>
<form method="post" action="/admin/accounts" class="item-form" aria-labelledby="add-h" novalidate>
  ${csrfField(frame)}
  ${addInvalid ? html`<p class="alert" role="alert" id="add-error">${add.errors.join("; ")}</p>` : ""}
  <div class="field"><label for="add-username">${t.accountUsername}</label>
    <p class="hint" id="add-username-hint">${t.accountUsernameHint}</p>
    <input type="text" id="add-username" name="username" value="${add?.username ?? ""}" autocomplete="off" aria-describedby="add-username-hint${addInvalid ? " add-error" : ""}"${addInvalid ? html` aria-invalid="true"` : ""}></div>
  <div class="field"><label for="add-password">${t.password}</label>
    <p class="hint" id="add-password-hint">${t.accountPasswordHint}</p>
    <input type="password" id="add-password" name="password" autocomplete="new-password" aria-describedby="add-password-hint"></div>
  <div class="field"><label for="add-role">${t.accountRole}</label>
    <select id="add-role" name="role">${roleOptions(t, add?.role ?? "editor")}</select></div>
  <div class="form-actions"><button type="submit">${t.accountAdd}</button></div>
</form>`,
  );
}
