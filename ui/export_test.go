package ui

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/demo"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/message"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

func corpus(t *testing.T, folder, prefix string) []byte {
	t.Helper()
	msgs, err := demo.Messages()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Folder == folder && strings.HasPrefix(m.File, prefix) {
			return m.Raw
		}
	}
	t.Fatalf("no corpus message %s/%s", folder, prefix)
	return nil
}

func TestParseExport(t *testing.T) {
	tests := []struct {
		arg     string
		want    exportReq
		wantErr string
	}{
		{arg: "json /tmp/a.json", want: exportReq{kind: "json", path: "/tmp/a.json"}},
		{arg: "iocs --raw /tmp/a.csv", want: exportReq{kind: "iocs", path: "/tmp/a.csv", raw: true}},
		{arg: "eml --force /tmp/my file.eml", want: exportReq{kind: "eml", path: "/tmp/my file.eml", force: true}},
		{arg: "json", wantErr: "usage"},
		{arg: "pdf /tmp/x", wantErr: "usage"},
		{arg: "eml --raw /tmp/x", wantErr: "--raw only applies"},
	}
	for _, tt := range tests {
		got, err := parseExport(tt.arg)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseExport(%q) error %v, want %q", tt.arg, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("parseExport(%q): %v", tt.arg, err)
		case got != tt.want:
			t.Errorf("parseExport(%q) = %+v, want %+v", tt.arg, got, tt.want)
		}
	}
}

// Each export writes what it says, 0600, from a message the screen has
// not read yet (fetched) as well as from one it has, and never replaces a
// file without --force.
func TestExportFilesContent(t *testing.T) {
	raw := corpus(t, "INBOX", "021")
	mb := mailtest.New()
	mb.CloseEvents()
	uid := mb.Add("INBOX", mail.Envelope{}, raw)
	acct := common.Account{Name: "soc", Mailbox: mb, MessageLimit: 1 << 20}
	target := message.Target{Account: acct, Folder: mail.FolderRef{Name: "INBOX", UIDValidity: 1}, UID: uid}
	dir := t.TempDir()
	ctx := context.Background()
	export := func(arg string, tg message.Target) (string, string) {
		t.Helper()
		req, err := parseExport(arg)
		if err != nil {
			t.Fatal(err)
		}
		status, err := runExport(ctx, req, tg, evidence.Limits{})
		if err != nil {
			t.Fatalf("export %s: %v", arg, err)
		}
		b, err := os.ReadFile(req.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(req.path); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", arg, fi.Mode().Perm())
		}
		return status, string(b)
	}

	status, out := export("json "+filepath.Join(dir, "m.json"), target)
	var x evidence.Export
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatal(err)
	}
	if x.ItemID != "soc/INBOX/1/1" || x.FolderPath != "INBOX" || x.Analysis == nil || len(x.Analysis.URLs) != 4 {
		t.Errorf("json export: item %q folder %q analysis %v", x.ItemID, x.FolderPath, x.Analysis != nil)
	}
	if !strings.Contains(status, "exported the analysis (JSON) of message 1") {
		t.Errorf("status %q", status)
	}

	status, out = export("iocs "+filepath.Join(dir, "iocs.csv"), target)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "type" || !strings.Contains(out, "hxxps://rnicrosoft[.]example/") || strings.Contains(out, "https://rnicrosoft.example") {
		t.Errorf("iocs CSV not defanged:\n%s", out)
	}
	if !strings.Contains(status, "defanged, CSV") {
		t.Errorf("status %q", status)
	}

	_, out = export("iocs --raw "+filepath.Join(dir, "iocs.json"), target)
	var iocs []evidence.IOC
	if err := json.Unmarshal([]byte(out), &iocs); err != nil {
		t.Fatalf("iocs JSON: %v\n%s", err, out)
	}
	if !strings.Contains(out, "https://rnicrosoft.example/") {
		t.Errorf("--raw iocs are defanged:\n%s", out)
	}

	// From the message screen: the bytes it read, not a new fetch.
	screenCopy := message.Target{Account: common.Account{Name: "soc"}, Folder: target.Folder, UID: uid, Raw: raw}
	_, out = export("eml "+filepath.Join(dir, "m.eml"), screenCopy)
	if out != string(raw) {
		t.Error("eml export differs from the original bytes")
	}

	req, _ := parseExport("eml " + filepath.Join(dir, "m.eml"))
	if _, err := runExport(ctx, req, screenCopy, evidence.Limits{}); !errors.Is(err, evidence.ErrExists) {
		t.Fatalf("second export without --force: %v, want ErrExists", err)
	}
	req.force = true
	if _, err := runExport(ctx, req, screenCopy, evidence.Limits{}); err != nil {
		t.Fatalf("--force: %v", err)
	}
}

// :export from the message screen of the running console writes the open
// message's indicators and says so in the status bar.
func TestExportCommandFromMessageScreen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iocs.csv")
	tm := start(t, 120, 40, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, "G", "k", "k", "enter")
	uitest.WaitModel(t, tm, "message read", func(m tea.Model) bool {
		_, ok := root(m).message.Current()
		return root(m).screen == screenMessage && ok
	})
	keys(tm, ":")
	tm.Type("export iocs " + path)
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "export done", func(m tea.Model) bool { return strings.Contains(root(m).flash, "exported") || root(m).flashErr })
	out := screenOf(t, tm)
	if !strings.Contains(out, "exported") || !strings.Contains(out, "indicators (defanged, CSV)") {
		t.Fatalf("status bar:\n%s", out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "type,value,context\n") || !strings.Contains(string(b), "sender,") {
		t.Fatalf("iocs file:\n%s", b)
	}
}

// From the list, :export takes the message under the cursor.
func TestExportCommandFromMailbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.eml")
	tm := start(t, 120, 40, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, ":")
	tm.Type("export eml " + path)
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "export done", func(m tea.Model) bool { return strings.Contains(root(m).flash, "exported") || root(m).flashErr })
	out := screenOf(t, tm)
	if !strings.Contains(out, "exported the original message") {
		t.Fatalf("status bar:\n%s", out)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), "Subject:") {
		t.Fatalf("eml file: %v\n%s", err, b)
	}
}
