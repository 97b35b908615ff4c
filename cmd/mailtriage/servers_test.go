package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/internal/imapservers"
)

// courierConfig is a config for the analyst on a private Courier (folders
// under "INBOX.", no special-use) with extra lines for the account.
func courierConfig(t *testing.T, srv imapservers.Server, extra string) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	t.Setenv("COURIER_PASSWORD", "pass word")
	cfg := fmt.Sprintf(`audit_log = %q
[[accounts]]
name = "soc"
imap = "imap://%s"
tls = "none"
username = "analyst"
password_env = "COURIER_PASSWORD"
%s
`, filepath.Join(dir, "audit.jsonl"), srv.Addr(), extra)
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func startCourier(t *testing.T) imapservers.Server {
	t.Helper()
	srv := imapservers.Start(t, imapservers.Courier)
	if err := srv.AddUser("analyst", "pass word"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"Phishing reports", "Trash", "Spam"} {
		if err := srv.CreateFolder("analyst", f); err != nil {
			t.Fatal(err)
		}
	}
	var msgs []imapservers.Message
	for i := range 2 {
		raw := fmt.Sprintf("From: x%d@evil.example\r\nSubject: Report %d\r\nMessage-Id: <r%d@evil.example>\r\n\r\nbody\r\n", i, i, i)
		msgs = append(msgs, imapservers.Message{Raw: []byte(raw), InternalDate: time.Date(2026, 11, 1, 9, i, 0, 0, time.UTC)})
	}
	if err := srv.Deliver("analyst", "Phishing reports", msgs...); err != nil {
		t.Fatal(err)
	}
	return srv
}

// check reports the roles it found, and a configured role folder that does
// not exist is an error naming the key (Courier: no special-use).
func TestCheckReportsRolesAndMissingRoleFolders(t *testing.T) {
	srv := startCourier(t)
	var out, errs bytes.Buffer
	if code := runCheck(context.Background(), nil, courierConfig(t, srv, ""), "", &out, &errs); code != 0 {
		t.Fatalf("check: %d %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "soc: ok, 4 folders") || !strings.Contains(out.String(), "roles: junk = Spam, trash = Trash") {
		t.Fatalf("check said %q", out.String())
	}
	out.Reset()
	cfg := courierConfig(t, srv, "[accounts.folders]\ntrash = \"Deleted Items\"\n")
	if code := runCheck(context.Background(), nil, cfg, "", &out, &errs); code != 1 {
		t.Fatalf("check with a missing trash folder: exit %d, %q", code, out.String())
	}
	if want := `soc: [accounts.folders] trash = "Deleted Items": the server has no folder of that name`; !strings.Contains(errs.String(), want) {
		t.Fatalf("check said %q, want %q", errs.String(), want)
	}
}

// Folder names without the namespace prefix work in default_folder,
// --folder and --to, the full name too, and a dry run refuses a
// destination that does not exist.
func TestActTakesFolderNamesWithoutPrefix(t *testing.T) {
	srv := startCourier(t)
	cfg := courierConfig(t, srv, `default_folder = "Phishing reports"`)
	act := func(args ...string) (actResult, int, string) {
		var out, errs bytes.Buffer
		code := runAct(context.Background(), args, cfg, "", &out, &errs)
		var res actResult
		if out.Len() > 0 {
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("%s: %v", out.String(), err)
			}
		}
		return res, code, errs.String()
	}
	res, code, errs := act("move", "--uid", "1", "--to", "Spam", "--dry-run")
	if code != 0 || len(res.Targets) != 1 || res.Targets[0].Result != "would" {
		t.Fatalf("dry run from default_folder: %d %+v %s", code, res, errs)
	}
	if _, code, errs = act("move", "--uid", "1", "--to", "Nowhere", "--dry-run"); code != 1 || !strings.Contains(errs, `no folder "Nowhere"`) {
		t.Fatalf("dry run to a missing folder: %d %s", code, errs)
	}
	res, code, errs = act("move", "--uid", "1", "--folder", "INBOX.Phishing reports", "--to", "Spam")
	if code != 0 || len(res.Targets) != 1 || res.Targets[0].Result != "done" {
		t.Fatalf("move with the full name: %d %+v %s", code, res, errs)
	}
	res, code, errs = act("delete", "--uid", "2", "--folder", "Phishing reports")
	if code != 0 || len(res.Targets) != 1 || res.Targets[0].Result != "done" || res.Dest != "Trash" {
		t.Fatalf("delete to the Trash found by name: %d %+v %s", code, res, errs)
	}
}
