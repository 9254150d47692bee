package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServePprof checks that -pprof serves the runtime's profiles on the
// address it names and stops when the server does.
func TestServePprof(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	if err := servePprof(ctx, "127.0.0.1:0", &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`http://(\S+)/debug/pprof/`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("servePprof printed %q, want its address", out.String())
	}
	url := "http://" + m[1] + "/debug/pprof/"
	resp, err := http.Get(url + "cmdline")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), ".test") {
		t.Errorf("cmdline: %d %q", resp.StatusCode, body)
	}
	cancel()
	for range 100 {
		if _, err = http.Get(url); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("the profiles are still served after the context ended")
}
