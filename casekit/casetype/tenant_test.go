package casetype

import (
	"regexp"
	"strings"
	"testing"
)

// TestTenantSlugAsTheRegexpSaid holds isTenantSlug to the rule it replaced,
// ^[a-z][a-z0-9-]{0,47}$ without a trailing hyphen, on every string of up
// to four characters from an alphabet around the rule's edges (bytes just
// outside each range, upper case, multi-byte runes) and at the length limit.
func TestTenantSlugAsTheRegexpSaid(t *testing.T) {
	rule := regexp.MustCompile(`^[a-z][a-z0-9-]{0,47}$`)
	want := func(id string) bool { return rule.MatchString(id) && !strings.HasSuffix(id, "-") }
	alphabet := []string{"a", "z", "m", "0", "9", "-", "`", "{", "/", ":", "A", "Z", "_", " ", "\x00", "é", "\xff"}
	var ids []string
	var grow func(prefix string, n int)
	grow = func(prefix string, n int) {
		ids = append(ids, prefix)
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			grow(prefix+c, n-1)
		}
	}
	grow("", 4)
	for _, n := range []int{46, 47, 48, 49, 60} {
		for _, tail := range []string{"a", "-", "9", "A", "é"} {
			ids = append(ids, "t"+strings.Repeat("x", n-2)+tail, strings.Repeat("a", n))
		}
	}
	for _, id := range ids {
		if got := isTenantSlug(id); got != want(id) {
			t.Errorf("isTenantSlug(%q) = %v, want %v", id, got, want(id))
		}
	}
	if len(ids) < 80000 {
		t.Fatalf("only %d IDs tried", len(ids))
	}
}
