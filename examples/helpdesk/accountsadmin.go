package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"casekit.dev/casekit"
)

// accountFields are the fields of the forms of the accounts page.
var accountFields = []string{"kind", "id", "name", "email", "teams", "password", "password2", "role"}

// accountNotices are what the accounts page says after a change.
var accountNotices = map[string]string{"added": "The account was added.", "password": "The password was changed.",
	"removed": "The account was removed.", "role": "The role was changed."}

// accountRow is one person on the accounts page.
type accountRow struct {
	account
	Index int
	Role  string // the agent's role's key
	Demo  bool   // a -demo sample person with no stored account
	Self  bool   // the signed-in admin
}

// accountsPage lists the agents and customers who may sign in, with a
// form to add one and, per person, forms to set a password, change an
// agent's role and remove the account.
type accountsPage struct {
	basePage
	Notice            string
	Agents, Customers []accountRow
	Roles             []option
	ManageRoles       bool // the admin may change roles (PermManageRoles)
	Teams             []option
	Add               *form
	refusedOp         string
	refusedID         string
	refused           *form
}

// Form is the refused form of op for the account id, shown again as it
// was typed (Open set); an empty one for the others.
func (p *accountsPage) Form(op, id string) *form {
	if p.refused != nil && op == p.refusedOp && id == p.refusedID {
		return p.refused
	}
	return &form{}
}

// Picked reports whether the add form had the team ticked.
func (p *accountsPage) Picked(team string) bool {
	return slices.Contains(strings.Split(p.Add.Val("teams"), ","), team)
}

// accountView is what the "person" template of the accounts page is
// given: the page and one person's row.
type accountView struct {
	Page *accountsPage
	Row  accountRow
}

func (a *app) accountList(w http.ResponseWriter, r *http.Request, req *request) {
	a.showAccounts(w, r, req, http.StatusOK, "", "", nil)
}

// showAccounts renders the accounts page; refused, when not nil, is the
// form of op (for the account id) that was refused, passwords left out,
// or, for op "page", what the top of the page says.
func (a *app) showAccounts(w http.ResponseWriter, r *http.Request, req *request, status int, op, id string, refused *form) {
	ctx := r.Context()
	cf := req.desk.Config()
	all, err := a.accounts.everyone(ctx)
	roles, err2 := cf.Roles(ctx)
	held, err3 := cf.AgentRoles(ctx)
	manage, err4 := req.desk.Can(ctx, casekit.PermManageRoles)
	teams, err5 := cf.Teams(ctx)
	if err := errors.Join(err, err2, err3, err4, err5); err != nil {
		a.internal(w, r, err)
		return
	}
	p := &accountsPage{basePage: a.basePage(r, req.s, "Accounts"), Notice: accountNotices[r.URL.Query().Get("done")],
		ManageRoles: manage, refusedOp: op, refusedID: id, refused: refused, Add: &form{Values: map[string]string{"kind": kindAgent}},
		Roles: rowsOf(roles, func(ro casekit.Role) option { return option{ro.Key, ro.Name} }),
		Teams: rowsOf(teams, func(t casekit.Team) option { return option{t.ID, t.Name} })}
	if op == "add" && refused != nil {
		p.Add = refused
	}
	for i, ac := range all {
		row := accountRow{account: ac, Index: i, Role: casekit.DefaultRole, Demo: ac.Hash == "", Self: ac.ID == req.s.ID}
		if ac.Kind == kindCustomer {
			p.Customers = append(p.Customers, row)
			continue
		}
		if j := slices.IndexFunc(held, func(h casekit.RoleAssignment) bool { return h.AgentID == ac.ID }); j >= 0 && held[j].Role != "" {
			row.Role = held[j].Role
		}
		p.Agents = append(p.Agents, row)
	}
	a.render(w, r, status, "accounts", p)
}

// accountAction adds an account, sets a password, changes an agent's
// role or removes an account. Each is one change: the account in the
// accounts table, or the role in casekit's tenant. Refused, the page
// shows the form again with what was typed (never the passwords) and the
// error next to its field, and nothing changed.
func (a *app) accountAction(w http.ResponseWriter, r *http.Request, req *request) {
	v := r.PostForm
	op, id := r.PathValue("op"), v.Get("id")
	var err error
	switch op {
	case "add":
		id, err = a.addAccountFromForm(r, req, v)
	case "password":
		err = a.setPassword(r, req, id, v)
	case "role":
		err = a.changeRole(r, req, id, v.Get("role"))
	case "remove":
		err = a.removeAccount(r, req, id)
	default:
		a.fail(w, r, http.StatusNotFound, "There is no such page.")
		return
	}
	if err == nil {
		if op == "password" || op == "remove" {
			a.sessions.endPerson(id, req.s.sid)
		}
		done := map[string]string{"add": "added", "password": "password", "role": "role", "remove": "removed"}[op]
		http.Redirect(w, r, "/admin/accounts?done="+done, http.StatusSeeOther)
		return
	}
	var ve *casekit.ValidationError
	var conflict *accountConflict
	switch {
	case errors.Is(err, casekit.ErrForbidden):
		a.forbidden(w, r, err)
		return
	case errors.Is(err, casekit.ErrNotFound):
		a.fail(w, r, http.StatusNotFound, "There is no such account.")
		return
	case errors.As(err, &conflict): // not about a field: said at the top of the page
		a.showAccounts(w, r, req, http.StatusConflict, "page", "", &form{Other: []string{conflict.msg}})
		return
	case !errors.As(err, &ve):
		a.internal(w, r, err)
		return
	}
	f := formFrom(v, accountFields, err)
	f.Values["teams"] = strings.Join(v["teams"], ",")
	delete(f.Values, "password")
	delete(f.Values, "password2")
	a.showAccounts(w, r, req, http.StatusUnprocessableEntity, op, v.Get("id"), f)
}

// accountConflict is a change the accounts page refuses although the
// input is well formed (removing one's own account).
type accountConflict struct{ msg string }

func (e *accountConflict) Error() string { return e.msg }

// newPassword reads the password typed twice.
func newPassword(v url.Values) (string, error) {
	pw := v.Get("password")
	if pw != v.Get("password2") {
		return "", fieldError("password2", "same", "the two passwords differ")
	}
	return pw, validPassword(pw)
}

// addAccountFromForm adds an agent or a customer by the rules of
// -add-agent and -add-customer, the teams being the tenant's, and
// returns the new account's ID. A new agent holds the default role.
func (a *app) addAccountFromForm(r *http.Request, req *request, v url.Values) (string, error) {
	ctx := r.Context()
	ac := account{Kind: v.Get("kind"), ID: strings.TrimSpace(v.Get("id")), Name: v.Get("name"), Email: strings.ToLower(strings.TrimSpace(v.Get("email")))}
	if ac.Kind == kindCustomer {
		ac.ID = casekit.EmailContactID(ac.Email)
	} else {
		ac.Teams = strings.Join(v["teams"], ",")
	}
	known, err := a.teamKeys(r, req)
	if err != nil {
		return "", err
	}
	if err := validAccount(ac, known); err != nil {
		return "", err
	}
	if _, found, err := a.accounts.lookup(ctx, ac.ID); err != nil || found {
		return "", errors.Join(err, fieldError("id", "unique", fmt.Sprintf("there is an account with the ID %s already", ac.ID)))
	}
	pw, err := newPassword(v)
	if err != nil {
		return "", err
	}
	return ac.ID, a.accounts.save(ctx, ac, pw, known, true)
}

// teamKeys are the IDs of the tenant's teams.
func (a *app) teamKeys(r *http.Request, req *request) ([]string, error) {
	ts, err := req.desk.Config().Teams(r.Context())
	return rowsOf(ts, func(t casekit.Team) string { return t.ID }), err
}

// stored finds the account with exactly the ID: a stored one or a demo
// person.
func (a *app) stored(r *http.Request, id string) (account, error) {
	all, err := a.accounts.everyone(r.Context())
	if err != nil {
		return account{}, err
	}
	if i := slices.IndexFunc(all, func(ac account) bool { return ac.ID == id }); i >= 0 {
		return all[i], nil
	}
	return account{}, fmt.Errorf("account %q: %w", id, casekit.ErrNotFound)
}

// setPassword gives the account a new password (a demo person gets a
// stored account with it). Their other sessions end.
func (a *app) setPassword(r *http.Request, req *request, id string, v url.Values) error {
	ac, err := a.stored(r, id)
	if err != nil {
		return err
	}
	pw, err := newPassword(v)
	if err != nil {
		return err
	}
	known, err := a.teamKeys(r, req)
	if err != nil {
		return err
	}
	return a.accounts.save(r.Context(), ac, pw, append(known, ac.teams()...), false)
}

// changeRole gives an agent another role: casekit refuses it unless the
// admin may manage roles.
func (a *app) changeRole(r *http.Request, req *request, id, role string) error {
	ac, err := a.stored(r, id)
	if err != nil {
		return err
	}
	if ac.Kind != kindAgent { // only agents hold roles
		return fmt.Errorf("agent %q: %w", id, casekit.ErrNotFound)
	}
	return req.desk.Config().SetAgentRole(r.Context(), id, role)
}

// removeAccount removes a stored account; an agent's role goes back to
// the default first, so an account added later with the same ID does
// not inherit it. No one removes their own account.
func (a *app) removeAccount(r *http.Request, req *request, id string) error {
	ac, err := a.stored(r, id)
	switch {
	case err != nil:
		return err
	case id == req.s.ID:
		return &accountConflict{"You cannot remove your own account: ask another administrator."}
	case ac.Hash == "":
		return &accountConflict{"A demo person has no stored account to remove."}
	}
	if ac.Kind == kindAgent {
		role, err := req.desk.Config().AgentRole(r.Context(), id)
		if err != nil {
			return err
		}
		if role.Key != casekit.DefaultRole {
			if err := req.desk.Config().SetAgentRole(r.Context(), id, ""); err != nil {
				return err
			}
		}
	}
	return a.accounts.remove(r.Context(), id)
}
