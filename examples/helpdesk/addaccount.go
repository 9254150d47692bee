package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"casekit.dev/casekit"
)

// newAccount reads the account of -add-agent or -add-customer and its
// password (never from argv, where other users of the machine could see
// it) and checks both, before anything is opened: a refused one leaves
// no file behind.
func newAccount(c config, stdin io.Reader) (account, string, error) {
	ac, err := parseAccount(c.addAgent, c.addCustomer)
	if err != nil {
		return account{}, "", err
	}
	if err := validAccount(ac, teamIDs()); err != nil {
		return account{}, "", err
	}
	password, err := readPassword(c.passwordFile, stdin)
	if err != nil {
		return account{}, "", err
	}
	return ac, password, validPassword(password)
}

// addAccount saves the account newAccount read.
func addAccount(ctx context.Context, accounts *accountStore, ac account, password string, stdout io.Writer) error {
	if err := accounts.save(ctx, ac, password, teamIDs(), false); err != nil {
		return fmt.Errorf("cannot save the account: %w", err)
	}
	fmt.Fprintf(stdout, "helpdesk: %s %s (%s) can sign in with their ID or address and the password\n", ac.Kind, ac.ID, ac.Email)
	return nil
}

// parseAccount reads "ID:Name:email[:team,team]" (an agent) or
// "Name:email" (a customer, whose ID is made from the address).
func parseAccount(agent, customer string) (account, error) {
	if agent != "" {
		parts := strings.Split(agent, ":")
		if len(parts) != 3 && len(parts) != 4 {
			return account{}, fmt.Errorf("-add-agent %q: want ID:Name:email or ID:Name:email:team,team", agent)
		}
		ac := account{ID: parts[0], Kind: kindAgent, Name: parts[1], Email: strings.ToLower(parts[2])}
		if len(parts) == 4 {
			ac.Teams = parts[3]
		}
		return ac, nil
	}
	name, email, ok := strings.Cut(customer, ":")
	if !ok || strings.Contains(email, ":") {
		return account{}, fmt.Errorf("-add-customer %q: want Name:email", customer)
	}
	email = strings.ToLower(email)
	return account{ID: casekit.EmailContactID(email), Kind: kindCustomer, Name: name, Email: email}, nil
}

// readPassword reads the first line of file ("-": stdin) or, with no
// file, $HELPDESK_PASSWORD.
func readPassword(file string, stdin io.Reader) (string, error) {
	if file == "" {
		if p := os.Getenv(passwordEnv); p != "" {
			return p, nil
		}
		return "", fmt.Errorf("no password: give -password-file FILE (\"-\" for standard input) or set $%s", passwordEnv)
	}
	r := stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("-password-file: %w", err)
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("-password-file: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
