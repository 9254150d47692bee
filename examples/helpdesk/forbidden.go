package main

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"casekit.dev/casekit"
)

// permissionUse says what each permission lets an agent do, for the page
// that tells an agent what their role lacks.
var permissionUse = map[casekit.Permission]string{
	casekit.PermRead:        "read cases",
	casekit.PermWork:        "work cases",
	casekit.PermDelete:      "delete cases",
	casekit.PermConfigure:   "change the tenant's configuration and its accounts",
	casekit.PermManageRoles: "give agents roles",
}

// lacksRE finds the permission in casekit's refusal of a command the
// actor's role does not permit.
var lacksRE = regexp.MustCompile(`does not hold the "([a-z_]+)" permission`)

// commandRE is the start of casekit's errors, which names the command
// and the tenant: not for the page.
var commandRE = regexp.MustCompile(`^casekit: [a-z ]+: tenant "[^"]*": `)

// forbidden answers a command casekit refused with ErrForbidden: 403 and
// a page saying which permission the agent's role lacks or, when the
// refusal is not about the role (a queue of another team's), why.
func (a *app) forbidden(w http.ResponseWriter, r *http.Request, err error) {
	if m := lacksRE.FindStringSubmatch(err.Error()); m != nil {
		a.lacks(w, r, casekit.Permission(m[1]))
		return
	}
	why := strings.TrimSuffix(err.Error(), ": "+casekit.ErrForbidden.Error())
	if !errors.Is(err, casekit.ErrForbidden) || why == err.Error() {
		why = ""
	}
	why = commandRE.ReplaceAllString(why, "")
	msg := "You may not do that."
	if why != "" {
		msg = "You may not do that: " + why + "."
	}
	a.fail(w, r, http.StatusForbidden, msg)
}

// lacks answers 403 with a page naming the agent's role and the
// permission it lacks, and what that permission is for.
func (a *app) lacks(w http.ResponseWriter, r *http.Request, p casekit.Permission) {
	s := a.session(r)
	role, err := a.kit.Desk(tenant).As(casekit.Agent(s.ID)).Config().AgentRole(r.Context(), s.ID)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	msg := fmt.Sprintf("Your role, %s, lacks the “%s” permission", role.Name, p)
	if use := permissionUse[p]; use != "" {
		msg += ", which an agent needs to " + use
	}
	a.fail(w, r, http.StatusForbidden, msg+". Ask an administrator of the tenant for a role that has it.")
}
