package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
)

func TestPurgeCommandRefusesUnconfirmedHard(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"purge", "--mode", "hard", "--message-id", "x@y"}, "confirm with --yes"},
		{[]string{"purge", "--mode", "gentle", "--message-id", "x@y"}, `mode "gentle"`},
		{[]string{"purge"}, "--message-id is required"},
		{[]string{"purge", "--message-id", "a b@c"}, "--message-id"},
		{[]string{"purge", "--message-id", "x@y", "--undo"}, "--undo needs the --state"},
	} {
		var out, errb bytes.Buffer
		if code := run(c.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), c.want) || out.Len() != 0 ||
			strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%v: %d %q %q", c.args, code, out.String(), errb.String())
		}
	}
}

// purge on a Graph account plans across the tenant, applies, keeps the
// plan in --state, and --undo puts every copy back.
func TestPurgeCommandAcrossTheTenant(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	boxes := srv.AddMailboxes(30, "user", "contoso.example")
	raw := []byte("From: x@evil.example\r\nSubject: Reset your password\r\nMessage-ID: <p1@evil.example>\r\n\r\nhi\r\n")
	// Ten copies over thirty mailboxes: every third one.
	if got := srv.SeedCopies(boxes, 10, raw, time.Now()); len(got) != 10 || got[boxes[3]] != 1 {
		t.Fatalf("seeded %v", got)
	}
	srv.User(boxes[4]).SetFault(403)
	cfg := graphConfig(t, srv)
	state := filepath.Join(t.TempDir(), "plan.json")
	var out, errb bytes.Buffer
	if code := run([]string{"purge", "--config", cfg, "--message-id", "p1@evil.example", "--dry-run"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "could not search 1 of the mailboxes") {
		t.Fatalf("dry run with a refusing mailbox: %d %s", code, errb.String())
	}
	var o purgeOutput
	if err := json.Unmarshal(out.Bytes(), &o); err != nil || o.Plan.Copies() != 10 || len(o.Plan.Failed) != 1 || o.Result != nil {
		t.Fatalf("dry run: %v %s", err, out.String())
	}
	if n := srv.User(boxes[0]).Messages("Inbox"); len(n) != 1 {
		t.Fatal("the dry run moved something")
	}
	out.Reset()
	code := run([]string{"purge", "--config", cfg, "--message-id", "<p1@evil.example>", "--state", state}, &out, &errb)
	if code != 1 {
		t.Fatalf("purge: %d %s %s", code, out.String(), errb.String())
	}
	o = purgeOutput{}
	if err := json.Unmarshal(out.Bytes(), &o); err != nil || o.Result == nil || o.Result.Done != 10 {
		t.Fatalf("purge: %v %s", err, out.String())
	}
	for i, addr := range boxes {
		if i%3 == 0 && len(srv.User(addr).Messages("Deletions")) != 1 {
			t.Fatalf("%s: not purged", addr)
		}
	}
	if fi, err := os.Stat(state); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", fi, err)
	}
	// The refusing mailbox heals: the same command with the same state
	// asks it alone and touches nothing already purged.
	srv.User(boxes[4]).SetFault(0)
	srv.ResetTenantCounts()
	out.Reset()
	if code := run([]string{"purge", "--config", cfg, "--message-id", "p1@evil.example", "--state", state}, &out, &errb); code != 0 {
		t.Fatalf("retry: %d %s", code, errb.String())
	}
	o = purgeOutput{}
	if err := json.Unmarshal(out.Bytes(), &o); err != nil || !o.Plan.Complete() || o.Result.Already != 10 || o.Result.Done != 0 {
		t.Fatalf("retry: %v %s", err, out.String())
	}
	asked := 0
	for _, addr := range boxes {
		asked += len(srv.User(addr).Requests())
	}
	if asked != 1 {
		t.Fatalf("the retry made %d mailbox requests, want 1", asked)
	}
	out.Reset()
	if code := run([]string{"purge", "--config", cfg, "--message-id", "p1@evil.example", "--state", state, "--undo"}, &out, &errb); code != 0 {
		t.Fatalf("undo: %d %s", code, errb.String())
	}
	for i, addr := range boxes {
		if i%3 == 0 && len(srv.User(addr).Messages("Inbox")) != 1 {
			t.Fatalf("%s: not restored", addr)
		}
	}
	// The guard: mail from an internal domain waits for --confirm.
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("[analysis]\ninternal_domains = [\"evil.example\"]\n")
	f.Close()
	out.Reset()
	errb.Reset()
	if code := run([]string{"purge", "--config", cfg, "--message-id", "p1@evil.example"}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "internal domain") || !strings.Contains(out.String(), `"guard"`) {
		t.Fatalf("guarded purge: %d %s %s", code, out.String(), errb.String())
	}
	if len(srv.User(boxes[0]).Messages("Inbox")) != 1 {
		t.Fatal("the guarded purge moved a copy")
	}
	out.Reset()
	if code := run([]string{"purge", "--config", cfg, "--message-id", "p1@evil.example", "--mode", "junk", "--confirm", "evil.example"}, &out, &errb); code != 0 {
		t.Fatalf("confirmed purge: %d %s", code, errb.String())
	}
	if len(srv.User(boxes[0]).Messages("Junk Email")) != 1 {
		t.Fatal("the confirmed junk purge did not move the copy")
	}
	errb.Reset()
	if code := run([]string{"purge", "--config", cfg, "--message-id", "p1@evil.example", "--state", state + ".none", "--undo"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "no plan in") {
		t.Fatalf("undo without a plan: %d %s", code, errb.String())
	}
	data, _ := os.ReadFile(filepath.Join(filepath.Dir(cfg), "audit.jsonl"))
	if n := strings.Count(string(data), `"action":"purge-soft"`); n != 20 {
		t.Fatalf("%d purge-soft records, want an intent and a result for each of 10 mailboxes", n)
	}
	if strings.Contains(string(data), srv.ClientSecret) || strings.Contains(out.String()+errb.String(), srv.ClientSecret) {
		t.Fatal("the secret leaked")
	}
}
