package apiload

import (
	"fmt"
	"strings"
)

// words is the vocabulary of generated subjects and descriptions, so that
// a search for one of them (DefaultSearch among them) finds a page.
var words = strings.Fields(`printer invoice refund password login account
	payment delivery order shipment screen laptop router wifi battery update
	crash error slow broken missing late damaged locked expired charged twice
	cancel upgrade export import backup sync email calendar report dashboard
	license subscription billing warranty repair replacement tracking`)

// DefaultSearch is the word searched for when none is given: one of the
// generated words, and one examples/bigload's vocabulary holds too.
const DefaultSearch = "refund"

// Customers is how many customers generated cases are spread over; each
// exists after its first case, so every later create names an existing one.
const Customers = 200

// pick returns k words chosen by n, the same for the same n.
func pick(n, k int) string {
	out := make([]string, k)
	x := uint64(n)*0x9E3779B97F4A7C15 + 1
	for i := range out {
		x ^= x >> 31
		x *= 0xBF58476D1CE4E5B9
		out[i] = words[x%uint64(len(words))]
	}
	return strings.Join(out, " ")
}

// subject is case n's subject: four words and its number.
func subject(n int) string { return fmt.Sprintf("%s (%d)", pick(n, 4), n) }

// description is case n's first message: fifteen words.
func description(n int) string { return pick(n+1_000_003, 15) }

// customer is the customer case n belongs to, 0 ... Customers-1.
func customer(n int) int { return n % Customers }
