package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite" // the "sqlite" driver of the accounts file

	"casekit.dev/casekit"
)

// account is one person who may sign in: an agent, a member of teams, or
// a customer, whose ID is casekit.EmailContactID of their address so the
// cases they open with the web form are theirs in the portal.
type account struct {
	ID    string `bun:"id"`
	Kind  string `bun:"kind"` // kindAgent or kindCustomer
	Name  string `bun:"name"`
	Email string `bun:"email"` // lower case
	Teams string `bun:"teams"` // comma-separated team IDs; agents only
	Hash  string `bun:"password_hash"`
}

func (ac account) person() casekit.Person {
	return casekit.Person{ID: ac.ID, Name: ac.Name, Email: ac.Email}
}

func (ac account) teams() []string {
	if ac.Teams == "" {
		return nil
	}
	return strings.Split(ac.Teams, ",")
}

// accountsFile is the SQLite file the accounts live in, next to the
// tenants' files in -data (".sqlite", not ".db", so no tenant's file can
// be called that).
const accountsFile = "helpdesk-accounts.sqlite"

// accountsCacheFor is how long the directory keeps the accounts it read:
// accounts saved by another process (helpdesk -add-agent while the
// server runs) appear within this time. Sign-in always reads afresh.
const accountsCacheFor = 5 * time.Second

// accountStore is the helpdesk's people: its own table of accounts with
// bcrypt password hashes (in the SQLite data directory, or in a schema
// of its own on PostgreSQL; never in casekit's tenant schema), plus,
// with -demo, the sample people, who have no password and sign in with
// the picker. It is the casekit.Directory of the kit.
type accountStore struct {
	db    bun.IDB
	table bun.Ident
	close func() error
	cost  int    // bcrypt cost of new hashes
	dummy []byte // a hash at cost that no password matches: unknown logins cost as much as wrong passwords
	demo  []account
	slots chan struct{} // bounds the bcrypt comparisons running at once

	mu       sync.Mutex
	cached   []account
	loadedAt time.Time
}

// openSQLiteAccounts opens (making it the first time) the accounts file
// in dir.
func openSQLiteAccounts(ctx context.Context, dir string) (*accountStore, error) {
	path := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(filepath.ToSlash(filepath.Join(dir, accountsFile)))
	sqldb, err := sql.Open("sqlite", "file:"+path+
		"?mode=rwc&_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(1)
	db := bun.NewDB(sqldb, sqlitedialect.New())
	s, err := newAccountStore(ctx, db, bun.Ident("accounts"), "")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("accounts in %s: %w", dir, err)
	}
	s.close = db.Close
	return s, nil
}

// openPostgresAccounts keeps the accounts in the schema prefix+"helpdesk"
// of db, beside casekit's schemas and apart from them.
func openPostgresAccounts(ctx context.Context, db bun.IDB, prefix string) (*accountStore, error) {
	schema := bun.Ident(prefix + "helpdesk")
	s, err := newAccountStore(ctx, db, bun.Ident(prefix+"helpdesk.accounts"), schema)
	if err != nil {
		return nil, fmt.Errorf("accounts in schema %shelpdesk: %w", prefix, err)
	}
	return s, nil
}

func newAccountStore(ctx context.Context, db bun.IDB, table bun.Ident, schema bun.Ident) (*accountStore, error) {
	if schema != "" {
		if _, err := db.NewRaw("CREATE SCHEMA IF NOT EXISTS ?", schema).Exec(ctx); err != nil {
			return nil, err
		}
	}
	if _, err := db.NewRaw(`CREATE TABLE IF NOT EXISTS ? (
		id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
		teams TEXT NOT NULL, password_hash TEXT NOT NULL)`, table).Exec(ctx); err != nil {
		return nil, err
	}
	s := &accountStore{db: db, table: table, close: func() error { return nil }, slots: make(chan struct{}, 4)}
	if err := s.setCost(bcrypt.DefaultCost); err != nil {
		return nil, err
	}
	return s, nil
}

// setCost sets the bcrypt cost of new hashes and makes the dummy hash at
// the same cost (tests use bcrypt.MinCost to stay fast).
func (s *accountStore) setCost(cost int) error {
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	dummy, err := bcrypt.GenerateFromPassword(random[:], cost)
	if err != nil {
		return err
	}
	s.cost, s.dummy = cost, dummy
	return nil
}

// withDemo adds the sample people of the directory, agents being the
// members of its teams.
func (s *accountStore) withDemo(dir casekit.StaticDirectory) {
	s.demo = nil
	for _, p := range dir.People {
		ac := account{ID: p.ID, Kind: kindCustomer, Name: p.Name, Email: p.Email}
		var teams []string
		for team, members := range dir.Teams {
			if slices.Contains(members, p.ID) {
				teams = append(teams, team)
			}
		}
		if len(teams) > 0 {
			slices.Sort(teams)
			ac.Kind, ac.Teams = kindAgent, strings.Join(teams, ",")
		}
		s.demo = append(s.demo, ac)
	}
	s.forget()
}

// Close closes what openSQLiteAccounts opened.
func (s *accountStore) Close() error { return s.close() }

// everyone returns the accounts and the demo people (an account with a
// demo person's ID wins), read at most accountsCacheFor ago.
func (s *accountStore) everyone(ctx context.Context) ([]account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && time.Since(s.loadedAt) < accountsCacheFor {
		return s.cached, nil
	}
	var stored []account
	if err := s.db.NewRaw("SELECT id, kind, name, email, teams, password_hash FROM ? ORDER BY kind, name, id", s.table).Scan(ctx, &stored); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	all := make([]account, 0, len(s.demo)+len(stored))
	for _, d := range s.demo {
		if !slices.ContainsFunc(stored, func(ac account) bool { return ac.ID == d.ID }) {
			all = append(all, d)
		}
	}
	s.cached, s.loadedAt = append(all, stored...), time.Now()
	return s.cached, nil
}

// forget drops the cache, so the next read sees a change just made.
func (s *accountStore) forget() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// lookup finds a person of the directory by ID or e-mail address.
func (s *accountStore) lookup(ctx context.Context, login string) (account, bool, error) {
	all, err := s.everyone(ctx)
	if err != nil {
		return account{}, false, err
	}
	ac, found := named(all, login)
	return ac, found, nil
}

// named returns the account in acs whose ID or e-mail address is login.
func named(acs []account, login string) (account, bool) {
	for _, ac := range acs {
		if ac.ID == login || strings.EqualFold(ac.Email, login) {
			return ac, true
		}
	}
	return account{}, false
}

// Person implements casekit.Directory.
func (s *accountStore) Person(ctx context.Context, _, id string) (casekit.Person, error) {
	all, err := s.everyone(ctx)
	if err != nil {
		return casekit.Person{}, err
	}
	for _, ac := range all {
		if ac.ID == id {
			return ac.person(), nil
		}
	}
	return casekit.Person{}, fmt.Errorf("person %q: %w", id, casekit.ErrNotFound)
}

// TeamMembers implements casekit.Directory.
func (s *accountStore) TeamMembers(ctx context.Context, _, teamID string) ([]string, error) {
	all, err := s.everyone(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, ac := range all {
		if ac.Kind == kindAgent && slices.Contains(ac.teams(), teamID) {
			ids = append(ids, ac.ID)
		}
	}
	return ids, nil
}

// errBusy is what a sign-in gets when too many are being checked at once.
var errBusy = errors.New("too many sign-ins at once")

// checkPassword checks password against the account. It takes one bcrypt comparison
// whether or not the login exists (an unknown one, or a demo person
// without a password, is compared with the dummy hash), so the time
// taken does not tell which logins exist; bcrypt compares in constant
// time. At most cap(s.slots) comparisons run at once; a sign-in that
// waits 5 s for its turn gets errBusy. It returns whether the password
// is right for the account find found.
func (s *accountStore) checkPassword(ctx context.Context, ac account, found bool, password string) (bool, error) {
	hash := s.dummy
	if found && ac.Hash != "" {
		hash = []byte(ac.Hash)
	}
	wait := time.NewTimer(5 * time.Second)
	defer wait.Stop()
	select {
	case s.slots <- struct{}{}:
	case <-wait.C:
		return false, errBusy
	case <-ctx.Done():
		return false, ctx.Err()
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	<-s.slots
	return err == nil && found && ac.Hash != "", nil
}

// find reads the account a sign-in names, by ID or e-mail address, from
// the table (not the cache: an account just added or changed counts at
// once), or a demo person, who has no password.
func (s *accountStore) find(ctx context.Context, login string) (account, bool, error) {
	var acs []account
	err := s.db.NewRaw("SELECT id, kind, name, email, teams, password_hash FROM ? WHERE id = ? OR email = ?",
		s.table, login, strings.ToLower(login)).Scan(ctx, &acs)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return account{}, false, err
	}
	if len(acs) > 0 {
		return acs[0], true, nil
	}
	ac, found := named(s.demo, login)
	return ac, found, nil
}

var agentIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// minPassword is the shortest password an account may have; bcrypt
// reads no more than 72 bytes, so none may be longer.
const minPassword = 10

// save adds the account, or changes the name, address, teams and
// password of the one with its ID and kind, after checking every field
// (teams against known); with onlyNew it refuses an ID that has an
// account already (an admin adding one must not overwrite another's).
// The password is stored only as a bcrypt hash. Bad input is a
// *casekit.ValidationError naming the field.
func (s *accountStore) save(ctx context.Context, ac account, password string, known []string, onlyNew bool) error {
	if err := validAccount(ac, known); err != nil {
		return err
	}
	if err := validPassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return err
	}
	ac.Email, ac.Hash = strings.ToLower(ac.Email), string(hash)
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var others []account
		if err := tx.NewRaw("SELECT id, kind FROM ? WHERE id = ? OR email = ?", s.table, ac.ID, ac.Email).Scan(ctx, &others); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		for _, o := range others {
			switch {
			case o.ID != ac.ID:
				return fieldError("email", "unique", fmt.Sprintf("the address %s belongs to another account (%s)", ac.Email, o.ID))
			case o.Kind != ac.Kind:
				return fieldError("id", "kind", fmt.Sprintf("%s is a %s, not a %s", ac.ID, o.Kind, ac.Kind))
			case onlyNew:
				return fieldError("id", "unique", fmt.Sprintf("there is an account with the ID %s already", ac.ID))
			}
		}
		if len(others) == 0 {
			_, err := tx.NewRaw("INSERT INTO ? (id, kind, name, email, teams, password_hash) VALUES (?, ?, ?, ?, ?, ?)",
				s.table, ac.ID, ac.Kind, ac.Name, ac.Email, ac.Teams, ac.Hash).Exec(ctx)
			return err
		}
		_, err := tx.NewRaw("UPDATE ? SET name = ?, email = ?, teams = ?, password_hash = ? WHERE id = ?",
			s.table, ac.Name, ac.Email, ac.Teams, ac.Hash, ac.ID).Exec(ctx)
		return err
	})
	s.forget()
	return err
}

// validPassword checks a new password's length.
func validPassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < minPassword:
		return fieldError("password", "min", fmt.Sprintf("the password must have at least %d characters", minPassword))
	case len(password) > 72:
		return fieldError("password", "max", "the password must not be longer than 72 bytes")
	}
	return nil
}

// validAccount checks an account's fields before anything is stored.
func validAccount(ac account, known []string) error {
	if n := strings.TrimSpace(ac.Name); n == "" || n != ac.Name || utf8.RuneCountInString(n) > 100 || strings.IndexFunc(n, unicode.IsControl) >= 0 {
		return fieldError("name", "name", fmt.Sprintf("the name %q must be 1 to 100 printable characters, without spaces around", ac.Name))
	}
	addr, err := mail.ParseAddress(ac.Email)
	if err != nil || addr.Address != ac.Email || addr.Name != "" || len(ac.Email) > 254 {
		return fieldError("email", "email", fmt.Sprintf("%q is not an e-mail address", ac.Email))
	}
	switch ac.Kind {
	case kindCustomer:
		if ac.ID != casekit.EmailContactID(strings.ToLower(ac.Email)) || ac.Teams != "" {
			return fieldError("id", "customer", "a customer's ID is made from their address and they have no teams")
		}
	case kindAgent:
		if !agentIDRE.MatchString(ac.ID) {
			return fieldError("id", "key", fmt.Sprintf("the agent ID %q must be 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit", ac.ID))
		}
		for _, t := range ac.teams() {
			if !slices.Contains(known, t) {
				return fieldError("teams", "known", fmt.Sprintf("there is no team %q (the teams are %s)", t, strings.Join(known, ", ")))
			}
		}
	default:
		return fieldError("kind", "oneof", fmt.Sprintf("unknown kind of account %q", ac.Kind))
	}
	return nil
}

// remove deletes the stored account with the ID; ErrNotFound when there
// is none (a demo person has no stored account to remove).
func (s *accountStore) remove(ctx context.Context, id string) error {
	res, err := s.db.NewRaw("DELETE FROM ? WHERE id = ?", s.table, id).Exec(ctx)
	s.forget()
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, fmt.Errorf("account %q: %w", id, casekit.ErrNotFound))
	}
	return nil
}
