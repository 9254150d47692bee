package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// The accounts page adds agents and customers by the flags' rules, sets
// passwords, changes roles and removes accounts; only an admin opens it,
// only one who may manage roles changes them, and a refused form keeps
// what was typed (but the passwords) with the error next to its field.
func TestAccountsPage(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	cf := a.kit.Desk(tenant).As(casekit.System).Config()
	eve := url.Values{"kind": {"agent"}, "id": {"u-eve"}, "name": {"Eve Adams"}, "email": {"Eve@Acme.example"}, "teams": {"support", "billing"},
		"password": {"a long secret"}, "password2": {"a long secret"}}
	with := func(v url.Values, k string, vals ...string) url.Values {
		out := url.Values{}
		for key, vs := range v {
			out[key] = vs
		}
		out[k] = vals
		return out
	}
	ava := onlyTheAdmin(t, srv.URL, []string{"/admin/accounts"}, map[string]url.Values{
		"/admin/accounts/add": eve, "/admin/accounts/password": {"id": {"u-ben"}, "password": {"a long secret"}, "password2": {"a long secret"}},
		"/admin/accounts/role": {"id": {"u-ben"}, "role": {"admin"}}, "/admin/accounts/remove": {"id": {"u-cleo"}}})
	if _, page := ava.get("/admin"); !strings.Contains(page, `href="/admin/accounts"`) {
		t.Error("the administration does not link the accounts")
	}
	if _, page := ava.get("/admin/accounts"); !strings.Contains(page, "Ben Okafor") || !strings.Contains(page, "grace@example.com") || !strings.Contains(page, `id="add-account"`) {
		t.Fatalf("the accounts page:\n%s", page)
	}
	posts(t, ava, []step{
		{"/admin/accounts/add", with(eve, "password2", "another secret"), http.StatusUnprocessableEntity,
			[]string{"the two passwords differ", `value="Eve Adams"`, `value="Eve@Acme.example"`, `id="add-team-billing" checked`, `id="add-team-support" checked`}},
		{"/admin/accounts/add", with(with(eve, "password", "short"), "password2", "short"), http.StatusUnprocessableEntity,
			[]string{`id="add-password-error">the password must have at least 10 characters`, `value="u-eve"`}},
		{"/admin/accounts/add", with(eve, "email", "not-an-address"), http.StatusUnprocessableEntity,
			[]string{`id="add-email-error">&#34;not-an-address&#34; is not an e-mail address`, `value="Eve Adams"`}},
		{"/admin/accounts/add", with(eve, "id", "u-ben"), http.StatusUnprocessableEntity, []string{"there is an account with the ID u-ben already"}},
		{"/admin/accounts/add", with(eve, "teams", "marketing"), http.StatusUnprocessableEntity, []string{`there is no team &#34;marketing&#34;`}},
		{"/admin/accounts/add", with(eve, "kind", "robot"), http.StatusUnprocessableEntity, []string{`unknown kind of account &#34;robot&#34;`}},
		{"/admin/accounts/add", eve, http.StatusSeeOther, []string{"The account was added.", "Eve Adams", "teams: support,billing"}},
		{"/admin/accounts/add", url.Values{"kind": {"customer"}, "name": {"Zoe Quinn"}, "email": {"zoe@example.com"}, "password": {"zoe's secret"}, "password2": {"zoe's secret"}},
			http.StatusSeeOther, []string{"The account was added.", "Zoe Quinn"}},
	})
	for _, leaked := range []string{"a long secret", "another secret"} {
		if _, page, _ := ava.post("/admin/accounts/add", with(eve, "email", "x")); strings.Contains(page, leaked) {
			t.Errorf("a refused form shows the password %q again", leaked)
		}
	}
	eveClient := newClient(t, srv.URL)
	if status, _ := eveClient.signIn("eve@acme.example", "a long secret"); status != http.StatusSeeOther {
		t.Fatalf("Eve signing in with the password the admin gave: %d", status)
	}
	zoe := newClient(t, srv.URL)
	if status, _ := zoe.signIn("zoe@example.com", "zoe's secret"); status != http.StatusSeeOther {
		t.Fatalf("Zoe signing in: %d", status)
	}

	// A new password, typed twice; Eve's session ends with the old one.
	ava.get("/admin/accounts")
	posts(t, ava, []step{
		{"/admin/accounts/password", url.Values{"id": {"u-eve"}, "password": {"a newer secret"}, "password2": {"a newer secreT"}}, http.StatusUnprocessableEntity,
			[]string{"the two passwords differ", "<details class=\"dialog\" open>"}},
		{"/admin/accounts/password", url.Values{"id": {"u-nobody"}, "password": {"a newer secret"}, "password2": {"a newer secret"}}, http.StatusNotFound, []string{"There is no such account."}},
		{"/admin/accounts/password", url.Values{"id": {"u-eve"}, "password": {"a newer secret"}, "password2": {"a newer secret"}}, http.StatusSeeOther,
			[]string{"The password was changed."}},
	})
	if status, _ := eveClient.get("/cases"); status != http.StatusSeeOther {
		t.Errorf("Eve's session after her password was changed: %d, want the way to sign in", status)
	}
	if status, _ := newClient(t, srv.URL).signIn("u-eve", "a long secret"); status != http.StatusUnauthorized {
		t.Errorf("the old password: %d, want 401", status)
	}
	if status, _ := eveClient.signIn("u-eve", "a newer secret"); status != http.StatusSeeOther {
		t.Errorf("the new password: %d", status)
	}

	// Roles: the admin gives Eve the admin role; an unknown one is refused
	// on Eve's form.
	posts(t, ava, []step{
		{"/admin/accounts/role", url.Values{"id": {"u-eve"}, "role": {"nope"}}, http.StatusUnprocessableEntity, []string{`unknown role &#34;nope&#34;`, `id="account-`}},
		{"/admin/accounts/role", url.Values{"id": {"email:zoe@example.com"}, "role": {"admin"}}, http.StatusNotFound, []string{"There is no such account."}},
		{"/admin/accounts/role", url.Values{"id": {"u-eve"}, "role": {"admin"}}, http.StatusSeeOther, []string{"The role was changed."}},
	})
	if r, err := cf.AgentRole(ctx, "u-eve"); err != nil || r.Key != casekit.RoleAdmin {
		t.Fatalf("Eve's role: %v, %v", r, err)
	}

	// Cleo may configure but not manage roles: she sees the accounts,
	// not the role forms, and may neither change a role nor remove Eve,
	// an admin.
	if err := cf.SaveRole(ctx, casekit.Role{Key: "configurer", Name: "Configurer", Permissions: []casekit.Permission{casekit.PermRead, casekit.PermWork, casekit.PermConfigure}}); err != nil {
		t.Fatal(err)
	}
	if err := cf.SetAgentRole(ctx, "u-cleo", "configurer"); err != nil {
		t.Fatal(err)
	}
	cleo := newClient(t, srv.URL)
	cleo.login("u-cleo")
	if status, page := cleo.get("/admin/accounts"); status != http.StatusOK || strings.Contains(page, "/admin/accounts/role") {
		t.Errorf("Cleo's accounts page: %d, role forms shown %v", status, strings.Contains(page, "/admin/accounts/role"))
	}
	for _, p := range []struct {
		path string
		form url.Values
	}{{"/admin/accounts/role", url.Values{"id": {"u-ben"}, "role": {"viewer"}}}, {"/admin/accounts/remove", url.Values{"id": {"u-eve"}}}} {
		if status, page, _ := cleo.post(p.path, p.form); status != http.StatusForbidden || !strings.Contains(page, "Your role, Configurer, lacks the “manage_roles” permission") {
			t.Errorf("Cleo posting to %s: %d, want 403 saying what her role lacks\n%s", p.path, status, page)
		}
	}

	// Removing: not oneself, not nobody; Eve's role goes back to the
	// default with her account, and she can no longer sign in.
	ava.get("/admin/accounts")
	posts(t, ava, []step{
		{"/admin/accounts/remove", url.Values{"id": {admin}}, http.StatusConflict, []string{"You cannot remove your own account"}},
		{"/admin/accounts/remove", url.Values{"id": {"u-nobody"}}, http.StatusNotFound, nil},
		{"/admin/accounts/remove", url.Values{"id": {"u-eve"}}, http.StatusSeeOther, []string{"The account was removed."}},
		{"/admin/accounts/remove", url.Values{"id": {"email:zoe@example.com"}}, http.StatusSeeOther, []string{"The account was removed."}},
	})
	if r, err := cf.AgentRole(ctx, "u-eve"); err != nil || r.Key != casekit.DefaultRole {
		t.Errorf("a removed agent's role: %v, %v; want the default", r, err)
	}
	if status, _ := eveClient.get("/cases"); status != http.StatusSeeOther {
		t.Errorf("Eve's session after her account was removed: %d", status)
	}
	if status, _ := newClient(t, srv.URL).signIn("u-eve", "a newer secret"); status != http.StatusUnauthorized {
		t.Errorf("a removed account signing in: %d, want 401", status)
	}
	if all, _ := a.accounts.everyone(ctx); len(all) != len(sampleAccounts()) {
		t.Errorf("%d accounts left, want the %d sample ones (the refused changes left nothing)", len(all), len(sampleAccounts()))
	}
}
